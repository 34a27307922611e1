import ExchangeBotCore
import RESTServer
import TelegramBot

extension TelegramWebhookEndpoint {
    /// The webhook route's view of the bot in webhook mode (on every instance: any may receive, the one that
    /// handles reads the inbox); `nil` without a bot or when it polls, and the route is not served.
    static func of(_ bot: TelegramBot?) -> TelegramWebhookEndpoint? {
        guard let bot, let webhook = bot.webhook else { return nil }
        let inbox = bot.inbox
        return TelegramWebhookEndpoint(secret: webhook.secret.exposedValue) { body in
            try await inbox.receive(body)
        }
    }
}
