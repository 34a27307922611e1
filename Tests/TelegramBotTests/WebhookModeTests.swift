import BotConversation
import ExchangeBotCore
import Foundation
import TestSupport
import Testing

/// Webhook mode (`TELEGRAM_WEBHOOK_URL`, `TELEGRAM_WEBHOOK_SECRET`) through the real `run` wiring: the fake Bot API
/// posts each update to the service's `POST /telegram/webhook`, as Telegram posts to the public URL a proxy
/// forwards.
@Suite(.serialized) struct WebhookModeTests {
    static let publicURL = "https://bot.example.com/telegram/webhook"
    static let secret = "Webhook_secret-0042"
    let alice = FakeUser(id: 5_200_001, firstName: "Alice", username: "alice")

    /// The service in webhook mode, with the fake posting to its listener.
    static func start(engine: StoreEngine) async throws -> (bot: BotHarness, origin: URL) {
        let bot = try await BotHarness.start(
            engine: engine,
            exchanges: [.okx],
            extraEnvironment: ["TELEGRAM_WEBHOOK_URL": publicURL, "TELEGRAM_WEBHOOK_SECRET": secret]
        )
        let port = try #require(await bot.listenerPort())
        let origin = try #require(URL(string: "http://127.0.0.1:\(port)"))
        // The proxy in front: what Telegram posts to the public URL reaches this instance.
        bot.telegram.balanceWebhook(across: [origin])
        return (bot, origin)
    }

    @Test(arguments: StoreEngine.allCases)
    func aWholeAddConversationRunsOverTheWebhook(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        let (bot, _) = try await Self.start(engine: engine)
        defer { Task { await bot.stop() } }
        let account = FakeAccount.random(for: .okx, ipRestricted: true)
        bot.exchanges[.okx]!.register(account)
        _ = try await bot.addKey(
            alice,
            exchange: .okx,
            label: "Hooked",
            apiKey: account.apiKey,
            secret: account.secret,
            passphrase: account.passphrase
        )
        _ = try await bot.waitForBotMessage(in: alice.id, containing: "awaiting approval")
        let request = try await bot.waitForBotMessage(in: bot.adminGroup.id) { $0.button("Approve") != nil }
        _ = bot.telegram.pressButton(from: bot.listedAdmin, on: request, caption: "Approve")
        _ = try await bot.waitForBotMessage(in: alice.id, containing: "approved")
        #expect(try await bot.keys(ofTelegramUser: alice.id).first?.status == .approved)

        // Every update went by webhook, answered 200 once stored; the bot never polled nor removed the webhook.
        #expect(await bot.telegram.waitUntil { bot.telegram.pendingUpdateCount == 0 })
        let deliveries = bot.telegram.webhookDeliveries()
        #expect(!deliveries.isEmpty && deliveries.allSatisfy { $0.status == 200 }, "\(deliveries.map(\.status))")
        #expect(bot.telegram.calls("getUpdates").isEmpty)
        #expect(bot.telegram.calls("deleteWebhook").isEmpty)
        let registrations = bot.telegram.calls("setWebhook")
        #expect(registrations.count == 1)
        let parameters = try #require(registrations.first?.parameters)
        #expect(parameters["url"]?.stringValue == Self.publicURL)
        #expect(parameters["secret_token"]?.stringValue == Self.secret)
        #expect(parameters["max_connections"]?.intValue == 40)
        #expect(
            parameters["allowed_updates"]?.arrayValue?.compactMap(\.stringValue)
                == ["message", "callback_query", "my_chat_member", "chat_member"],
            "the same one list the poller asks getUpdates for"
        )
        try await bot.stopBot()
    }

    /// Telegram posts an update again when the 200 it was answered with never reached it (lost after the commit,
    /// a proxy's timeout), possibly after the bot handled it and its inbox row is gone: the re-post is answered 200
    /// and not handled a second time.
    @Test(arguments: StoreEngine.allCases)
    func anUpdatePostedAgainAfterItWasHandledIsAnsweredOnce(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        let (bot, _) = try await Self.start(engine: engine)
        defer { Task { await bot.stop() } }
        bot.say(alice, "/start")
        _ = try await bot.waitForBotMessage(in: alice.id) { $0.text.hasPrefix("Hi!") }
        // The greeting goes out only after the commit that removed the update from the inbox; the next update's
        // reading of the inbox lets the poller forget it was handed over, as happens whenever a re-post comes late.
        #expect(try await bot.stores().bot.unhandledUpdates().updates.isEmpty)
        bot.say(alice, "/help")
        _ = try await bot.waitForBotMessage(in: alice.id, containing: "How it works")
        let lane = "chat \(alice.id)"
        let start = try #require(bot.telegram.webhookDeliveries().first { $0.lane == lane && $0.status == 200 })

        #expect(bot.telegram.repostAnsweredWebhookUpdate(start.updateID))
        // The chat's next update is posted only after the re-post was answered, and handled after it (update_id
        // order, one chat at a time): once its answer is there, a second greeting would have come before it.
        bot.say(alice, "/help")
        let helped = await bot.telegram.waitUntil {
            bot.telegram.botMessages(in: alice.id).filter { $0.text.contains("How it works") }.count == 2
        }
        let texts = bot.telegram.botMessages(in: alice.id).map(\.text)
        #expect(helped, "\(texts)")
        let posts = bot.telegram.webhookDeliveries().filter { $0.updateID == start.updateID }
        #expect(posts.map(\.status) == [200, 200], "the re-post is answered 200, so Telegram stops posting it")
        #expect(texts.filter { $0.hasPrefix("Hi!") }.count == 1, "\(texts)")
        #expect(try await bot.stores().bot.unhandledUpdates().updates.isEmpty, "nothing left for the next start")
        try await bot.stopBot()
    }

    /// A post without the right secret is 403 and leaves no trace: an update once stored is in the inbox until
    /// handled, and handling a stranger's first update makes their user row before it leaves the inbox.
    @Test(arguments: StoreEngine.allCases)
    func aPostWithoutTheRightSecretIsRefusedAndNothingIsStored(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        let (bot, origin) = try await Self.start(engine: engine)
        defer { Task { await bot.stop() } }
        let stranger: Int64 = 5_200_777
        let update =
            #"{"update_id":990001,"message":{"message_id":1,"date":0,"chat":{"id":\#(stranger),"type":"private"},"#
            + #""from":{"id":\#(stranger),"is_bot":false,"first_name":"Eve"},"text":"forged-marker-7731"}}"#
        for secret in [nil, "wrong", Self.secret + "x"] {
            var headers = [("Content-Type", "application/json")]
            if let secret { headers.append(("X-Telegram-Bot-Api-Secret-Token", secret)) }
            let answer = try await LoopbackHTTPClient.send(
                to: origin,
                "POST",
                "/telegram/webhook",
                headers: headers,
                body: update
            )
            #expect(answer.status == 403)
            #expect(!String(decoding: answer.body, as: UTF8.self).contains("forged-marker-7731"))
        }
        #expect(try await bot.stores().bot.unhandledUpdates().updates.isEmpty)
        #expect(try await bot.userID(ofTelegramUser: stranger) == nil)
        #expect(bot.telegram.botMessages(in: stranger).isEmpty)
        try await bot.stopBot()
    }
}
