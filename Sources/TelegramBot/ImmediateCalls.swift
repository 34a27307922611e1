import Logging
import TelegramAPIClient

/// The Bot API calls the bot makes at once, before its commit, because repeating them is harmless: answering a
/// button press (Telegram shows a spinner until then) and deleting a message that holds a credential (it must not
/// stay on screen while anything else happens). Everything else is queued for the ``OutgoingSender``.
struct ImmediateCalls: Sendable {
    let client: TelegramClient
    let logger: Logger

    /// Answers a button press; a late or repeated answer is harmless.
    func answer(_ queryID: String, alert: String?) async {
        do throws(TelegramError) {
            try await client.answerCallbackQuery(
                id: queryID,
                text: alert.map { String($0.prefix(200)) },
                showAlert: alert != nil
            )
        } catch {
            if !error.isQueryTooOld {
                logger.warning("a button press could not be answered", metadata: ["error": "\(error)"])
            }
        }
    }

    func deleteCredentialMessage(chatID: Int64, messageID: Int64) async {
        do throws(TelegramError) {
            try await client.deleteMessageIfExists(chatID: chatID, messageID: Int(messageID))
        } catch {
            logger.error(
                "a message holding a credential could not be deleted",
                metadata: ["chat": "\(chatID)", "message": "\(messageID)", "error": "\(error)"]
            )
        }
    }
}
