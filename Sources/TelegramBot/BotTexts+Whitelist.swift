import BotConversation
import Localization
import TelegramAPIClient

/// The server's addresses (`WHITELIST_IPS`) under every text that asks the user to restrict a key to them.
extension BotTexts {
    /// Texts that talk about the IP restriction: the key guides, `/help` and the exchanges' IP refusals.
    static func mentionsWhitelist(_ key: String) -> Bool {
        key.hasPrefix("guide.") || key == "help" || key == "error.ip_not_whitelisted"
            || key == "error.invalid_api_key_or_ip"
    }

    /// A paragraph with each address as `<code>` (Telegram copies it on a tap); empty when none is configured or
    /// the text does not ask for it.
    func whitelistNote(for key: String, language: String) -> String {
        guard !whitelistIPs.isEmpty, Self.mentionsWhitelist(key) else { return "" }
        let addresses = whitelistIPs.map { "<code>\(HTML.escape($0))</code>" }.joined(separator: "  ")
        return "\n\n" + localizer.text("whitelist.ips", [:], html: ["ips": addresses], language: language)
    }
}
