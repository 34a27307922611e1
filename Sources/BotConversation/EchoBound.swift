/// Bounds for text the bot shows that came from outside: what users typed (labels, names, an admin's reason) and
/// what exchanges answered (error details, permissions, warnings).
///
/// Texts are cut here, on characters and before HTML escaping, so a cut never splits an entity such as `&amp;` and
/// one long value cannot push a message past Telegram's 4,096 characters (or crowd out the rest of it).
public enum EchoBound {
    /// A key's label (100 by the rules, but rows written by another system may hold more).
    public static let label = 100
    /// A person's name or an exchange's name.
    public static let name = 64
    /// An exchange's error detail, or a list of permissions or warnings it reported.
    public static let exchangeText = 300
    /// An admin's message or reason (1,000 by the rules).
    public static let note = 1_000

    /// `text`, or its first `limit - 1` characters and "…".
    public static func cut(_ text: String, to limit: Int) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(max(limit - 1, 0))) + "…"
    }
}
