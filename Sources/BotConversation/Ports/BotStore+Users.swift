import ExchangeBotCore
import Foundation

extension BotStore {
    /// The Telegram user's row in `users`, created on first contact: ``userAndConversation(telegramID:username:languageCode:at:)``
    /// without the conversation.
    public func ensureUser(telegramID: Int64, username: String?, languageCode: String?, at date: Date) async throws
        -> User
    {
        try await userAndConversation(telegramID: telegramID, username: username, languageCode: languageCode, at: date)
            .user
    }
}
