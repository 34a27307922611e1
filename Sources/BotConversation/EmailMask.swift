import Foundation

/// An email address as the bot may show it to whoever holds a link code: the local part's first character, then
/// `…@domain` (`alice@example.com` → `a…@example.com`). The whole address is never shown.
public enum EmailMask {
    /// The masked address, or `nil` for text that is not an address (no `@`, an empty local part or domain).
    public static func masked(_ email: String) -> String? {
        let trimmed = email.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let at = trimmed.lastIndex(of: "@"), let first = trimmed.first, first != "@" else { return nil }
        let domain = trimmed[trimmed.index(after: at)...]
        guard !domain.isEmpty else { return nil }
        return "\(first)…@\(EchoBound.cut(String(domain), to: EchoBound.name))"
    }
}
