import ExchangeBotCore

/// Why a health check deactivated a key, in words for a key that used to work.
///
/// The check stores the refusal's English message (``ExchangeBotCore/CredentialError/message``) as the key's
/// `error_message` and in the event, as the Python side reads it; the message is matched back to its refusal here
/// so each one has a text of its own in every language.
public enum HealthReason {
    /// Every refusal a health check deactivates a key for: the ones that are not transient
    /// (``ExchangeBotCore/CredentialError/isTransient``).
    public static let refusals: [CredentialError] = [
        .invalidAPIKey, .invalidKeyOrIP, .authenticationFailed, .invalidSecret, .invalidPassphrase,
        .ipNotWhitelisted, .tradePermissionMissing, .permissionDenied, .withdrawalEnabled, .withdrawalUnknown,
    ]

    /// The refusal a stored reason names; `nil` for a text written elsewhere (by an older version or another
    /// system).
    public static func refusal(for reason: String) -> CredentialError? {
        refusals.first { $0.message == reason }
    }

    /// The reason's text: its refusal's own, or the stored words as they are (bounded).
    public static func text(for reason: String) -> Reply.Text {
        guard let refusal = refusal(for: reason) else {
            return Reply.Text("status.health.other", ["reason": EchoBound.cut(reason, to: EchoBound.exchangeText)])
        }
        return Reply.Text("status.health.\(refusal.code)")
    }
}
