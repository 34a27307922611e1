import Foundation

/// A Telegram account linked to a platform user: what `GET /user/telegram-link` shows (the Telegram id and
/// username only).
public struct TelegramLink: Sendable, Equatable, Codable {
    public var telegramID: Int64
    public var telegramUsername: String?
    /// When the bot recorded the link; `nil` for a link the platform made (`users.telegram_id`).
    public var linkedAt: Date?
    /// Made by the platform or an operator in `users.telegram_id`: the bot cannot undo it.
    public var isPlatformLink: Bool

    public init(telegramID: Int64, telegramUsername: String? = nil, linkedAt: Date? = nil, isPlatformLink: Bool = false)
    {
        self.telegramID = telegramID
        self.telegramUsername = telegramUsername
        self.linkedAt = linkedAt
        self.isPlatformLink = isPlatformLink
    }
}

/// How an attempt to link a Telegram account with a one-time code ended.
public enum LinkOutcome: Sendable, Equatable {
    /// Linked. `movedKeys` keys of an account the bot had made for this Telegram user now belong to `user`;
    /// `droppedKeys` were the same exchange and API key as one `user` already had and were deleted; that account
    /// (`retiredUserID`) is deactivated. `replacedTelegramID` is the Telegram account `user` was linked to before.
    case linked(
        user: User,
        movedKeys: Int,
        droppedKeys: Int,
        retiredUserID: Int64?,
        replacedTelegramID: Int64?
    )
    case refused(LinkRefusal)
}

/// Why a link was refused; nothing changed.
public enum LinkRefusal: String, Sendable, Equatable, Codable {
    /// The code is unknown, forged, used or expired (one answer for all: a guesser learns nothing).
    case invalidCode = "invalid_code"
    /// This Telegram account is linked to another platform user: unlink there first.
    case linkedToAnotherUser = "linked_elsewhere"
    /// The platform's `users.telegram_id` names this Telegram account for another user; the bot cannot change it.
    case platformLinkedElsewhere = "platform_link"
    /// The user the code names is gone or disabled.
    case userInactive = "user_inactive"
}

/// How an attempt to unlink ended.
public enum UnlinkOutcome: Sendable, Equatable {
    /// The link is gone; the user it joined and the Telegram account.
    case unlinked(userID: Int64, telegramID: Int64)
    /// Nothing was linked.
    case notLinked
    /// The link is the platform's (`users.telegram_id`): only the platform can undo it.
    case platformLink
}
