import ExchangeBotCore
import Foundation

extension BotStore {
    /// The Telegram user's row in `users` and their conversation, the user created on first contact (see
    /// ``userAndConversation(telegramID:username:languageCode:createUser:at:)``).
    public func userAndConversation(telegramID: Int64, username: String?, languageCode: String?, at date: Date)
        async throws -> (user: User, conversation: ConversationState?)
    {
        let found = try await userAndConversation(
            telegramID: telegramID,
            username: username,
            languageCode: languageCode,
            createUser: true,
            at: date
        )
        guard let user = found.user else { throw UserNotCreated(telegramID: telegramID) }
        return (user, found.conversation)
    }

    /// The Telegram user's row in `users`, created on first contact: ``userAndConversation(telegramID:username:languageCode:at:)``
    /// without the conversation.
    public func ensureUser(telegramID: Int64, username: String?, languageCode: String?, at date: Date) async throws
        -> User
    {
        try await userAndConversation(telegramID: telegramID, username: username, languageCode: languageCode, at: date)
            .user
    }
}

/// A store asked to create a user returned none: the store broke its contract.
public struct UserNotCreated: Error, CustomStringConvertible {
    public var telegramID: Int64

    public var description: String { "the store created no user for a Telegram account" }
}

/// The platform's `users` table refused a row for a new Telegram user (a column the platform requires that the bot
/// cannot fill, such as a NOT NULL email or password): the user must link an account made on the platform.
/// Handling the update ends there; it must not stay in the inbox.
public struct UserCreationRefused: Error, CustomStringConvertible {
    public var telegramID: Int64

    public init(telegramID: Int64) {
        self.telegramID = telegramID
    }

    public var description: String { "the users table refused a new row for a Telegram user" }
}
