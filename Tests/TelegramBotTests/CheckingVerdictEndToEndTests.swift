import BotConversation
import ExchangeBotCore
import Foundation
import TelegramBot
import TestSupport
import Testing

/// "Checking the key…" becomes the verdict: the check's answer edits that message in place (its buttons with it)
/// instead of following it as a second message, on both engines.
@Suite(.serialized) struct CheckingVerdictEndToEndTests {
    let dave = FakeUser(id: 5_000_401, firstName: "Dave", username: "dave")

    /// The messages the bot sent to `chat` whose text said "Checking", whatever they say now.
    static func checkingSends(_ bot: BotHarness, in chat: Int64) -> [FakeTelegramCall] {
        bot.telegram.calls("sendMessage").filter { call in
            call.parameters["chat_id"]?.int64Value == chat && "\(call.parameters["text"] ?? .null)".contains("Checking")
        }
    }

    /// Whether the bot edited message `id` of `chat` into a text containing `text` (the fake records the call
    /// just after the message changes: waited for).
    static func edited(_ bot: BotHarness, chat: Int64, id: Int, into text: String) async -> Bool {
        await bot.telegram.waitUntil {
            bot.telegram.calls("editMessageText").contains { call in
                call.parameters["chat_id"]?.int64Value == chat && call.parameters["message_id"]?.intValue == id
                    && "\(call.parameters["text"] ?? .null)".contains(text)
            }
        }
    }

    @Test(arguments: StoreEngine.allCases) func theVerdictReplacesTheCheckingMessage(engine: StoreEngine)
        async throws
    {
        guard engine.isAvailable else { return }
        let bot = try await BotHarness.start(engine: engine, exchanges: [.okx])
        defer { Task { await bot.stop() } }
        let account = FakeAccount.random(for: .okx, ipRestricted: true)
        bot.exchanges[.okx]!.register(account)
        _ = try await bot.addKey(
            dave,
            exchange: .okx,
            label: "Main",
            apiKey: account.apiKey,
            secret: account.secret,
            passphrase: account.passphrase
        )
        let done = try await bot.waitForBotMessage(in: dave.id, containing: "awaiting approval")
        #expect(Self.checkingSends(bot, in: dave.id).count == 1, "Checking… was sent once")
        #expect(await Self.edited(bot, chat: dave.id, id: done.messageID, into: "awaiting approval"))
        let shown = bot.telegram.botMessages(in: dave.id)
        #expect(!shown.contains { $0.text.contains("Checking") }, "no separate Checking… message is left")
        #expect(shown.filter { $0.text.contains("awaiting approval") }.count == 1)
        try await bot.stopBot()
    }

    /// A refused check's answer and its buttons land on the checking message; `Check again` sends a new "Checking…"
    /// that its verdict replaces in turn.
    @Test(arguments: StoreEngine.allCases) func aRefusalAndItsButtonsReplaceTheCheckingMessage(engine: StoreEngine)
        async throws
    {
        guard engine.isAvailable else { return }
        let bot = try await BotHarness.start(engine: engine, exchanges: [.okx])
        defer { Task { await bot.stop() } }
        var account = FakeAccount.random(for: .okx, ipAllowed: false)
        bot.exchanges[.okx]!.register(account)
        _ = try await bot.addKey(
            dave,
            exchange: .okx,
            label: "Main",
            apiKey: account.apiKey,
            secret: account.secret,
            passphrase: account.passphrase
        )
        let refusal = try await bot.waitForBotMessage(in: dave.id) { $0.button("Check again") != nil }
        #expect(refusal.button("Re-enter key") != nil && refusal.button("Cancel") != nil)
        #expect(await Self.edited(bot, chat: dave.id, id: refusal.messageID, into: "restricted to IP"))
        #expect(!bot.telegram.botMessages(in: dave.id).contains { $0.text.contains("Checking") })

        account.ipAllowed = true
        bot.exchanges[.okx]!.register(account)
        _ = bot.telegram.pressButton(from: dave, on: refusal, caption: "Check again")
        let done = try await bot.waitForBotMessage(in: dave.id, containing: "awaiting approval")
        #expect(done.messageID != refusal.messageID, "the second check has its own Checking… message")
        #expect(Self.checkingSends(bot, in: dave.id).count == 2)
        #expect(await Self.edited(bot, chat: dave.id, id: done.messageID, into: "awaiting approval"))
        #expect(!bot.telegram.botMessages(in: dave.id).contains { $0.text.contains("Checking") })
        try await bot.stopBot()
    }
}
