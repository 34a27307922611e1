import Foundation

/// Links between Telegram accounts and platform users, and the one-time codes that make them.
///
/// The platform owns `users`; links the bot makes live in the product's own table, and a `users.telegram_id`
/// value (where that column exists) is a link too, made by the platform, which wins when both name someone. A
/// code is stored only as its hash (see `LinkCode` in BearerTokens): the database never holds a usable code.
public protocol AccountLinkStore: Sendable {
    /// Stores a one-time code's hash for `userID`, valid until `expiresAt`; audited as `telegram.link_code`.
    /// Throws ``ApprovalError/userNotFound`` if there is no such user.
    func storeLinkCode(hash: Data, userID: Int64, expiresAt: Date, audit: AuditEntry) async throws

    /// Makes an unused code useless without linking anything (it was shown where others could read it, such as a
    /// group); `true` if there was such a code.
    func voidLinkCode(hash: Data, at date: Date) async throws -> Bool

    /// The active user an unused, unexpired code names, without using it: what the confirmation shows.
    func linkCodeUser(hash: Data, at date: Date) async throws -> User?

    /// Links `telegramID` to the user the code names, in one transaction: uses the code, records the link (a link
    /// the user had to another Telegram account is replaced), moves the keys of an account the bot had made for
    /// this Telegram user to the linked user (dropping duplicates) and deactivates that account, audits
    /// (`telegram.link`), and queues the linked user's email notice when `mailNotice` is set.
    func link(
        telegramID: Int64,
        telegramUsername: String?,
        codeHash: Data,
        mailNotice: Bool,
        audit: AuditEntry
    ) async throws -> LinkOutcome

    /// Removes the bot-made link of a Telegram account (from the chat) or of a user (over REST), audited
    /// (`telegram.unlink`), queuing the user's email notice when `mailNotice` is set.
    func unlink(_ subject: LinkSubject, mailNotice: Bool, audit: AuditEntry) async throws -> UnlinkOutcome

    /// The Telegram account linked to `userID`, by the bot or by the platform.
    func telegramLink(ofUser userID: Int64) async throws -> TelegramLink?
}

/// Whose link to remove.
public enum LinkSubject: Sendable, Equatable {
    case telegram(Int64)
    case user(Int64)
}
