import ExchangeBotApp
import ExchangeBotCore
import Foundation
import TelegramBot
import Testing

/// `TELEGRAM_WEBHOOK_URL` and `TELEGRAM_WEBHOOK_SECRET`: webhook mode, or long polling when unset.
@Suite struct WebhookEnvironmentTests {
    static let secret = "A-z_09-" + String(repeating: "k", count: 249)

    @Test func unsetMeansLongPolling() throws {
        #expect(try Environment([:]).telegramWebhook() == nil)
    }

    @Test func aWebhookIsReadWithItsSecretHidden() throws {
        let environment = Environment([
            "TELEGRAM_WEBHOOK_URL": "https://bot.example.com/telegram/webhook", "TELEGRAM_WEBHOOK_SECRET": Self.secret,
        ])
        let webhook = try #require(try environment.telegramWebhook())
        #expect(webhook.url.absoluteString == "https://bot.example.com/telegram/webhook")
        #expect(webhook.secret.exposedValue == Self.secret)
        #expect(webhook.maxConnections == 40)
        #expect(!"\(webhook)".contains("kkkk") && !String(reflecting: webhook).contains("kkkk"))
    }

    @Test func plainHTTPOnlyToThisMachineOrWhenAllowed() throws {
        let local = Environment([
            "TELEGRAM_WEBHOOK_URL": "http://127.0.0.1:8000/telegram/webhook", "TELEGRAM_WEBHOOK_SECRET": "s",
        ])
        #expect(try local.telegramWebhook()?.url.port == 8000)
        let remote = [
            "TELEGRAM_WEBHOOK_URL": "http://bot.example.com/telegram/webhook", "TELEGRAM_WEBHOOK_SECRET": "s",
        ]
        #expect(throws: ConfigurationError.self) { try Environment(remote).telegramWebhook() }
        let allowed = Environment(remote.merging(["ALLOW_INSECURE_URLS": "true"]) { _, new in new })
        #expect(try allowed.telegramWebhook() != nil)
    }

    @Test(arguments: [
        (
            "TELEGRAM_WEBHOOK_URL",
            ["TELEGRAM_WEBHOOK_URL": "ftp://bot.example.com/hook", "TELEGRAM_WEBHOOK_SECRET": "s"]
        ),
        ("TELEGRAM_WEBHOOK_URL", ["TELEGRAM_WEBHOOK_URL": "not a url", "TELEGRAM_WEBHOOK_SECRET": "s"]),
        ("TELEGRAM_WEBHOOK_URL", ["TELEGRAM_WEBHOOK_SECRET": "orphan-secret"]),
        ("TELEGRAM_WEBHOOK_SECRET", ["TELEGRAM_WEBHOOK_URL": "https://bot.example.com/hook"]),
        (
            "TELEGRAM_WEBHOOK_SECRET",
            ["TELEGRAM_WEBHOOK_URL": "https://bot.example.com/hook", "TELEGRAM_WEBHOOK_SECRET": "has space-Leak1"]
        ),
        (
            "TELEGRAM_WEBHOOK_SECRET",
            ["TELEGRAM_WEBHOOK_URL": "https://bot.example.com/hook", "TELEGRAM_WEBHOOK_SECRET": "semi;colon-Leak1"]
        ),
        (
            "TELEGRAM_WEBHOOK_SECRET",
            ["TELEGRAM_WEBHOOK_URL": "https://bot.example.com/hook", "TELEGRAM_WEBHOOK_SECRET": "ünicode-Leak1"]
        ),
        (
            "TELEGRAM_WEBHOOK_SECRET",
            [
                "TELEGRAM_WEBHOOK_URL": "https://bot.example.com/hook",
                "TELEGRAM_WEBHOOK_SECRET": String(repeating: "L", count: 257),
            ]
        ),
    ])
    func badSettingsNameTheirVariableAndNeverTheSecret(variable: String, values: [String: String]) {
        do {
            _ = try Environment(values).telegramWebhook()
            Issue.record("\(values) was accepted")
        } catch {
            #expect(error.variable == variable)
            #expect(!error.description.contains("Leak1") && !error.description.contains("LLLL"))
        }
    }
}
