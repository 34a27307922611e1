import ExchangeBotApp
import ExchangeBotCore
import ExchangeBotStorage
import Fernet
import Foundation
import Testing

@Suite struct EnvironmentTests {
    let key = FernetKey.generate()

    @Test func defaultsFollowTheDesign() throws {
        let environment = Environment(["SECRET_KEY": "s"], workingDirectory: "/srv/bot")
        #expect(try environment.databaseLocation() == .file(path: "/srv/bot/data/exchange-bot.sqlite"))
        let rest = try #require(try environment.rest())
        #expect(rest.host == "127.0.0.1" && rest.port == 8000 && rest.tokenMaxAge == 3600)
        #expect(rest.rateLimit == RateLimit(requests: 60, perSeconds: 60))
        #expect(try environment.telegram() == nil)
        let exchanges = try environment.exchanges()
        #expect(!exchanges.sandbox && exchanges.timeoutSeconds == 10 && !exchanges.allowWithdrawKeys)
        #expect(exchanges.originOverrides.isEmpty)
        #expect(try environment.healthCheckInterval() == 3600)
        #expect(try environment.logLevel() == .info)
    }

    /// However a database target is printed (a log line's interpolation, a debug print, `dump`), the password in
    /// `DATABASE_URL` does not show.
    @Test func aDatabaseTargetNeverPrintsItsPassword() throws {
        let password = "s3cr3t-pw"
        let target = try Environment(["DATABASE_URL": "postgresql+psycopg2://bot:\(password)@db:5432/platform"])
            .database()
        var dumped = ""
        dump(target, to: &dumped)
        for printed in ["\(target)", String(reflecting: target), String(describing: target), dumped] {
            #expect(!printed.contains(password), "\(printed)")
            #expect(printed.contains("bot:***@db:5432/platform"))
        }
    }

    @Test func masterKeyIsRequiredAndChecked() throws {
        #expect(throws: ConfigurationError.self) { try Environment([:]).masterKeys() }
        do {
            _ = try Environment(["BRAIN_CAPITAL_MASTER_KEY": "definitely-not-a-key"]).masterKeys()
            Issue.record("a malformed key must be refused")
        } catch {
            #expect(error.variable == "BRAIN_CAPITAL_MASTER_KEY")
            #expect(!error.description.contains("definitely-not-a-key"))
        }
        let other = FernetKey.generate()
        let ring = try Environment(["BRAIN_CAPITAL_MASTER_KEY": "\(key.base64),\(other.base64)"]).masterKeys()
        #expect(ring.fernets.map(\.key.fingerprint) == [key.fingerprint, other.fingerprint])
    }

    @Test func telegramNeedsAnAdminChat() throws {
        #expect(
            throws: ConfigurationError(
                "ADMIN_CHAT_ID",
                "is required with TELEGRAM_BOT_TOKEN: the admin group's chat id"
            )
        ) {
            try Environment(["TELEGRAM_BOT_TOKEN": "123:ABC"]).telegram()
        }
        let settings = try #require(
            try Environment([
                "TELEGRAM_BOT_TOKEN": "123:ABC-def", "ADMIN_CHAT_ID": "-1001234567890", "ADMIN_USER_IDS": "1, 2,3",
                "TELEGRAM_API_URL": "http://127.0.0.1:8081",
            ]).telegram()
        )
        #expect(settings.adminChatID == -1_001_234_567_890 && settings.adminUserIDs == [1, 2, 3])
        #expect(settings.apiURL.absoluteString == "http://127.0.0.1:8081")
        #expect(!"\(settings)".contains("ABC-def"))
    }

    @Test(arguments: [
        ("TELEGRAM_BOT_TOKEN", "no colon here"), ("ADMIN_USER_IDS", "1,two"), ("API_PORT", "99999"),
        ("API_RATE_LIMIT", "lots"), ("TOKEN_MAX_AGE", "-5"), ("EXCHANGE_TIMEOUT", "0"), ("EXCHANGE_SANDBOX", "maybe"),
        ("EXCHANGE_BINANCE_URL", "ftp://x"), ("HEALTH_CHECK_INTERVAL", "soon"), ("LOG_LEVEL", "loud"),
        ("DATABASE_URL", "mysql://x"), ("TELEGRAM_API_URL", "not a url"),
    ])
    func malformedValuesNameTheirVariable(variable: String, value: String) {
        var values = ["TELEGRAM_BOT_TOKEN": "1:A", "ADMIN_CHAT_ID": "-1", "SECRET_KEY": "s"]
        values[variable] = value
        let environment = Environment(values)
        do {
            _ = try environment.telegram()
            _ = try environment.rest()
            _ = try environment.exchanges()
            _ = try environment.healthCheckInterval()
            _ = try environment.logLevel()
            _ = try environment.databaseLocation()
            Issue.record("\(variable)=\(value) must be refused")
        } catch {
            #expect(error.variable == variable)
        }
    }

    @Test func overridesAndSwitches() throws {
        let environment = Environment([
            "EXCHANGE_BINANCE_URL": "http://127.0.0.1:9001", "EXCHANGE_GATE_URL": "http://127.0.0.1:9002",
            "EXCHANGE_SANDBOX": "true", "ALLOW_WITHDRAW_KEYS": "1", "HEALTH_CHECK_INTERVAL": "0",
            "API_RATE_LIMIT": "5/second", "DATABASE_URL": "sqlite:////tmp/x.sqlite",
        ])
        let exchanges = try environment.exchanges()
        #expect(exchanges.originOverrides[.binance]?.absoluteString == "http://127.0.0.1:9001")
        #expect(exchanges.originOverrides[.gate]?.port == 9002)
        #expect(exchanges.sandbox && exchanges.allowWithdrawKeys)
        #expect(try environment.healthCheckInterval() == nil)
        #expect(RateLimit("5/second") == RateLimit(requests: 5, perSeconds: 1))
        #expect(RateLimit("100/hour") == RateLimit(requests: 100, perSeconds: 3600))
        #expect(try environment.databaseLocation() == .file(path: "/tmp/x.sqlite"))
    }
}
