import BotConversation
import ExchangeBotCore
import Foundation
import Localization
import Testing

@testable import TelegramBot

/// The add flow's texts as the user reads them: the guides, the server's addresses, `/settings` and `/start add`.
@Suite struct AddFlowTextsTests {
    static let texts = BotTexts(localizer: TextsTests.localizer, whitelistIPs: ["203.0.113.7", "2001:db8::7"])

    @Test(arguments: ExchangeID.allCases)
    func everyGuideLinksItsAPIPageAndShowsTheAddresses(exchange: ExchangeID) throws {
        for language in ["en", "ru"] {
            let reply = Reply(
                .init(
                    "guide.\(exchange.rawValue)",
                    ["exchange": exchange.displayName, "url": ExchangeGuide.apiPage(exchange)]
                )
            )
            let message = try #require(Self.texts.messages(reply, to: .chat(1), language: language).first)
            #expect(message.text.contains("href=\"\(ExchangeGuide.apiPage(exchange))\""))
            #expect(
                message.text.contains("<code>203.0.113.7</code>") && message.text.contains("<code>2001:db8::7</code>")
            )
            #expect(ExchangeGuide.apiPage(exchange).hasPrefix("https://"))
        }
    }

    @Test func theAddressesGoOnlyWhereTheWhitelistIsMeant() throws {
        for key in ["help", "error.ip_not_whitelisted"] {
            let message = try #require(Self.texts.messages(Reply(.init(key)), to: .chat(1), language: "en").first)
            #expect(message.text.contains("<code>203.0.113.7</code>"), "\(key)")
        }
        let checking = try #require(
            Self.texts.messages(Reply(.init("add.checking", ["exchange": "OKX"])), to: .chat(1), language: "en").first
        )
        #expect(!checking.text.contains("203.0.113.7"))
        let unconfigured = BotTexts(localizer: TextsTests.localizer)
        let help = try #require(unconfigured.messages(Reply(.init("help")), to: .chat(1), language: "en").first)
        #expect(!help.text.contains("<code>"))
    }

    @Test func coinbaseSaysECDSAAndBinanceSystemGenerated() {
        let coinbase = Self.texts.text("guide.coinbase", ["exchange": "Coinbase", "url": "u"])
        #expect(coinbase.contains("ECDSA") && coinbase.contains("Ed25519"))
        #expect(Self.texts.text("guide.binance", ["exchange": "Binance", "url": "u"]).contains("System generated"))
    }

    @Test func settingsIsLanguageAndStartAddIsTheDeepLink() {
        let parser = CommandParser(botUsername: "exchange_keys_bot")
        #expect(parser.command(in: "/settings") == .known(.language))
        #expect(parser.startPayload(in: "/start add") == "add")
        #expect(CommandParser.isAddPayload("add") && CommandParser.isAddPayload("ADD"))
        #expect(!CommandParser.isAddPayload("k7Qm2x"))
    }
}
