import ExchangeBotCore
import Foundation
import TelegramBot

/// Webhook mode: `TELEGRAM_WEBHOOK_URL` and `TELEGRAM_WEBHOOK_SECRET`.
extension Environment {
    /// The webhook settings, or `nil` when `TELEGRAM_WEBHOOK_URL` is unset (long polling, the default).
    ///
    /// The URL must be `https://` (plain `http://` only to this machine, or with `ALLOW_INSECURE_URLS`, as for the
    /// other URLs); the secret is required with it and is never repeated in an error.
    public func telegramWebhook() throws(ConfigurationError) -> BotWebhook? {
        guard self["TELEGRAM_WEBHOOK_URL"] != nil else {
            if self["TELEGRAM_WEBHOOK_SECRET"] != nil {
                throw ConfigurationError(
                    "TELEGRAM_WEBHOOK_URL",
                    "is required with TELEGRAM_WEBHOOK_SECRET: the public https:// URL Telegram posts updates to"
                )
            }
            return nil
        }
        let url = try url("TELEGRAM_WEBHOOK_URL", default: "")
        guard let secret = self["TELEGRAM_WEBHOOK_SECRET"] else {
            throw ConfigurationError(
                "TELEGRAM_WEBHOOK_SECRET",
                "is required with TELEGRAM_WEBHOOK_URL: 1 to 256 of A-Z a-z 0-9 _ - (Telegram sends it back in "
                    + "X-Telegram-Bot-Api-Secret-Token)"
            )
        }
        guard (1...256).contains(secret.utf8.count), secret.utf8.allSatisfy(Self.isWebhookSecretByte) else {
            throw ConfigurationError("TELEGRAM_WEBHOOK_SECRET", "must be 1 to 256 of A-Z a-z 0-9 _ -")
        }
        return BotWebhook(url: url, secret: SecretString(secret))
    }

    private static func isWebhookSecretByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default: false
        }
    }
}
