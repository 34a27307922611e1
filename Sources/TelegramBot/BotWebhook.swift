import ExchangeBotCore
import Foundation

/// Webhook mode (`TELEGRAM_WEBHOOK_URL`, `TELEGRAM_WEBHOOK_SECRET`): Telegram posts each update to ``url`` instead
/// of the bot long-polling for it.
///
/// Prints only the URL's host: the secret is redacted by ``SecretString`` and the URL's path may hold a token of
/// the operator's own.
public struct BotWebhook: Sendable, CustomStringConvertible {
    /// The public HTTPS URL Telegram posts to; a proxy in front forwards it to `POST /telegram/webhook`.
    public var url: URL
    /// Sent back by Telegram in `X-Telegram-Bot-Api-Secret-Token` on every post.
    public var secret: SecretString
    /// How many posts Telegram may have open at once (1–100). Different chats' updates arrive concurrently; one
    /// chat's arrive in sequence.
    public var maxConnections: Int

    public init(url: URL, secret: SecretString, maxConnections: Int = 40) {
        self.url = url
        self.secret = secret
        self.maxConnections = maxConnections
    }

    public var description: String { "webhook at \(url.host ?? "?")" }
}
