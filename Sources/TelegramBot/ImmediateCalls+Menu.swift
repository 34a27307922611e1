import Logging
import TelegramAPIClient

extension ImmediateCalls {
    /// Sets one private chat's command menu (after `/language`, so the menu reads in the chosen language rather than
    /// the Telegram app's). Repeating it is harmless; a failure leaves the language-wide menu.
    func setMenu(inChat chatID: Int64, to commands: [BotCommand]) async {
        do throws(TelegramError) {
            try await client.setMyCommands(commands, scope: .chat(chatID))
        } catch {
            logger.warning("a chat's command menu could not be set", metadata: ["error": "\(error)"])
        }
    }
}
