import BotConversation
import ExchangeBotCore
import Foundation
import TelegramAPIClient

/// The one way a Telegram user becomes a ``Caller``, so the audit log and "decided by" name a person the same
/// wherever they acted (a key they submitted, a button they pressed, a check resumed after a restart).
extension Caller {
    /// A Telegram user acting now; `userID` is their row in `users`, when they have one.
    init(telegram user: TelegramAPIClient.User, userID: Int64? = nil) {
        self.init(userID: userID, telegramID: user.id, displayName: Self.name(of: user))
    }

    /// The submitter of a check resumed after a restart, named as when they submitted it (states stored before the
    /// name was kept fall back to the stored `@username`).
    init(submitterOf pending: PendingSubmission, user: ExchangeBotCore.User) {
        self.init(
            userID: user.id,
            telegramID: user.telegramID,
            displayName: pending.submitterName ?? user.username.map { "@\(EchoBound.cut($0, to: EchoBound.name))" }
        )
    }

    /// How a Telegram user is named: `@username`, else their name, else their id.
    static func name(of user: TelegramAPIClient.User) -> String {
        if let username = user.username, !username.isEmpty { return "@\(EchoBound.cut(username, to: EchoBound.name))" }
        let name = [user.firstName, user.lastName ?? ""].joined(separator: " ").trimmingCharacters(in: .whitespaces)
        return name.isEmpty ? "Telegram user \(user.id)" : EchoBound.cut(name, to: EchoBound.name)
    }
}
