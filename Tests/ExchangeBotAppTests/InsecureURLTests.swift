import ExchangeBotApp
import ExchangeBotCore
import Foundation
import Testing

/// Plain `http://` would carry the bot token (in the URL path) or exchange keys (in headers) in clear text: it is
/// accepted only to this machine, unless `ALLOW_INSECURE_URLS=true` says the operator means it.
@Suite struct InsecureURLTests {
    static let loopback = [
        "http://127.0.0.1:8081", "http://127.9.8.7", "http://localhost:9000", "http://LOCALHOST", "http://[::1]:8081",
        "http://[0:0:0:0:0:0:0:1]", "http://[::ffff:127.0.0.1]:80", "https://api.telegram.org", "https://10.0.0.5",
    ]
    static let remote = [
        "http://api.telegram.org", "http://10.0.0.5:8081", "http://127.0.0.1.example.com", "http://localhost.evil.org",
        "http://128.0.0.1", "http://[::2]", "http://[::ffff:10.0.0.1]", "HTTP://api.binance.com", "http://0.0.0.0",
    ]

    static func telegram(_ url: String, extra: [String: String] = [:]) -> Environment {
        Environment(
            ["TELEGRAM_BOT_TOKEN": "123:ABC", "ADMIN_CHAT_ID": "-100", "TELEGRAM_API_URL": url].merging(extra) { $1 }
        )
    }

    @Test(arguments: loopback)
    func loopbackAndHTTPSAreAccepted(url: String) throws {
        #expect(try Self.telegram(url).telegram()?.apiURL.absoluteString == url)
        let exchanges = try Environment(["EXCHANGE_BINANCE_URL": url]).exchanges()
        #expect(exchanges.originOverrides[.binance]?.absoluteString == url)
    }

    @Test(arguments: remote)
    func plainHTTPElsewhereIsRefusedNamingTheVariable(url: String) throws {
        #expect(throws: ConfigurationError.self) { try Self.telegram(url).telegram() }
        do {
            _ = try Environment(["EXCHANGE_KRAKEN_URL": url]).exchanges()
            Issue.record("\(url) must be refused")
        } catch {
            #expect(error.variable == "EXCHANGE_KRAKEN_URL")
            #expect(error.problem.contains("ALLOW_INSECURE_URLS"))
        }
        do {
            _ = try Self.telegram(url).telegram()
        } catch {
            #expect(error.variable == "TELEGRAM_API_URL")
        }
    }

    @Test(arguments: remote)
    func theOperatorMayAllowIt(url: String) throws {
        let settings = try Self.telegram(url, extra: ["ALLOW_INSECURE_URLS": "true"]).telegram()
        #expect(settings?.apiURL.absoluteString == url)
        let exchanges = try Environment(["EXCHANGE_MEXC_URL": url, "ALLOW_INSECURE_URLS": "yes"]).exchanges()
        #expect(exchanges.originOverrides[.mexc]?.absoluteString == url)
    }

    @Test func theSwitchIsABoolean() throws {
        #expect(try Environment([:]).allowsInsecureURLs() == false)
        #expect(throws: ConfigurationError.self) {
            try Self.telegram("http://10.0.0.1", extra: ["ALLOW_INSECURE_URLS": "sure"]).telegram()
        }
    }
}
