import ExchangeBotApp
import Foundation
import TelegramBot
import Testing

/// `TELEGRAM_SIGNUP`, `LINK_CODE_TTL` and `TELEGRAM_BOT_USERNAME`.
@Suite struct LinkingEnvironmentTests {
    @Test func defaults() throws {
        let environment = Environment([:])
        #expect(try environment.telegramSignup() == .open)
        #expect(try environment.linkCodeLifetime() == 600)
        #expect(try environment.telegramBotUsername() == nil)
    }

    @Test func valuesAreRead() throws {
        let environment = Environment([
            "TELEGRAM_SIGNUP": "Linked", "LINK_CODE_TTL": "86400", "TELEGRAM_BOT_USERNAME": "@exchange_keys_bot",
        ])
        #expect(try environment.telegramSignup() == .linked)
        #expect(try environment.linkCodeLifetime() == 86_400)
        #expect(try environment.telegramBotUsername() == "exchange_keys_bot")
    }

    @Test(arguments: [
        ("TELEGRAM_SIGNUP", "closed"), ("TELEGRAM_SIGNUP", "yes"), ("LINK_CODE_TTL", "0"), ("LINK_CODE_TTL", "-5"),
        ("LINK_CODE_TTL", "86401"), ("LINK_CODE_TTL", "10m"), ("TELEGRAM_BOT_USERNAME", "abc"),
        ("TELEGRAM_BOT_USERNAME", "bad-name_bot"), ("TELEGRAM_BOT_USERNAME", String(repeating: "a", count: 33)),
        ("TELEGRAM_BOT_USERNAME", "https://t.me/x_bot"),
    ])
    func badValuesNameTheirVariable(variable: String, value: String) {
        let environment = Environment([variable: value])
        do {
            _ = try environment.telegramSignup()
            _ = try environment.linkCodeLifetime()
            _ = try environment.telegramBotUsername()
            Issue.record("\(variable)=\(value) was accepted")
        } catch {
            #expect(error.variable == variable)
        }
    }
}
