import ExchangeBotCore
import Foundation

extension Commands {
    /// Who issues codes from the command line, in the audit log.
    static let commandLineCaller = Caller(displayName: AuditChannel.commandLineActor)

    /// `link-code USER_ID`: a one-time code that links a Telegram account to the user, on the last line; before it,
    /// the `https://t.me/<bot>?start=<code>` link when `TELEGRAM_BOT_USERNAME` is set. Needs the database only.
    public static func linkCode(_ environment: Environment, userID: Int64) async throws -> [String] {
        let lifetime = try environment.linkCodeLifetime()
        let botUsername = try environment.telegramBotUsername()
        return try await withStorage(environment) { storage in
            let linking = AccountLinking(
                links: storage.accountLinks,
                users: storage.exchangeStore,
                codes: RandomLinkCodes(),
                codeLifetime: TimeInterval(lifetime)
            )
            let issued: AccountLinking.IssuedCode
            do throws(ApprovalError) {
                issued = try await linking.issue(for: userID, by: commandLineCaller)
            } catch .userNotFound {
                throw LinkCodeRefusal("no user with id \(userID) exists")
            } catch .userInactive {
                throw LinkCodeRefusal("user \(userID) is deactivated; a code for them could not be used")
            } catch {
                throw error
            }
            var lines = [
                "one-time link code for user \(userID), valid for \(lifetime) s "
                    + "(until \(ISO8601DateFormatter().string(from: issued.expiresAt))); open it in a private chat "
                    + "with the bot as /start CODE:"
            ]
            if let botUsername {
                lines.append(AccountLinking.deepLink(botUsername: botUsername, code: issued.code))
            }
            lines.append(issued.code)
            return lines
        }
    }
}

/// `link-code` refused: the user is unknown or deactivated.
public struct LinkCodeRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
