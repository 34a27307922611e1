import ExchangeBotCore
import Foundation
import TestSupport
import Testing

/// Key cards and actionable notices through the real `run` wiring and the fake Bot API: a notice's `Activate`
/// activates the key, and `/exchanges` cards are edited in place, never re-sent.
@Suite(.serialized) struct KeyCardEndToEndTests {
    let alice = FakeUser(id: 5_000_101, firstName: "Alice", username: "alice")

    /// Adds a key through `/add` and has the listed admin approve it with the request's button; returns the
    /// owner's approval notice.
    func addApprovedKey(_ bot: BotHarness, label: String) async throws -> FakeSentMessage {
        let account = FakeAccount.random(for: .binance)
        bot.exchanges[.binance]!.register(account)
        _ = try await bot.addKey(
            alice,
            exchange: .binance,
            label: label,
            apiKey: account.apiKey,
            secret: account.secret,
            passphrase: nil
        )
        let request = try await bot.waitForBotMessage(in: bot.adminGroup.id) {
            $0.button("Approve") != nil && $0.text.contains(label)
        }
        _ = bot.telegram.pressButton(from: bot.listedAdmin, on: request, caption: "Approve")
        return try await bot.waitForBotMessage(in: alice.id) {
            $0.text.contains("approved") && $0.text.contains("\"\(label)\"") && $0.button("Activate") != nil
        }
    }

    func waitForAnswer(_ bot: BotHarness, _ query: String?) async -> FakeCallbackQuery? {
        _ = await bot.telegram.waitUntil {
            bot.telegram.callbackQueries().first { $0.id == query }?.isAnswered == true
        }
        return bot.telegram.callbackQueries().first { $0.id == query }
    }

    @Test(arguments: StoreEngine.allCases) func aNoticesActivateButtonActivatesTheKey(engine: StoreEngine)
        async throws
    {
        guard engine.isAvailable else { return }
        let bot = try await BotHarness.start(engine: engine, exchanges: [.binance])
        defer { Task { await bot.stop() } }
        let notice = try await addApprovedKey(bot, label: "Main")
        #expect(notice.text.contains("Press Activate"))
        #expect(try await bot.keys(ofTelegramUser: alice.id).first?.isActive == false)

        let press = bot.telegram.pressButton(from: alice, on: notice, caption: "Activate")
        #expect(await waitForAnswer(bot, press)?.showAlert == false)
        // The notice becomes the key's card: active, with Deactivate.
        let card = try await bot.waitForBotMessage(in: alice.id) {
            $0.messageID == notice.messageID && $0.text.contains("is active")
        }
        #expect(card.text.hasPrefix("Binance · «Main» · "))
        #expect(card.button("Deactivate") != nil && card.button("Activate") == nil)
        let keys = try await bot.keys(ofTelegramUser: alice.id)
        #expect(keys.count == 1 && keys[0].status == .approved && keys[0].isActive)
        try await bot.stopBot()
    }

    /// A notice or card older than the key's last change: Activate is stale once the key went back to PENDING;
    /// a message Telegram cannot edit any more gets the card as a new message.
    @Test func outdatedAndVanishedMessagesAreHandled() async throws {
        let bot = try await BotHarness.start(exchanges: [.binance])
        defer { Task { await bot.stop() } }
        let notice = try await addApprovedKey(bot, label: "Main")
        let keyID = try #require(try await bot.keys(ofTelegramUser: alice.id).first?.id)

        // The button pressed on a message that is gone: the card comes as a new message.
        let before = bot.telegram.botMessages(in: alice.id).count
        bot.telegram.pressButton(
            from: alice,
            message: (BotHarness.chat(alice), 999_999),
            data: "act:\(keyID)"
        )
        let card = try await bot.waitForBotMessage(in: alice.id) {
            $0.text.contains("is active") && $0.button("Deactivate") != nil
        }
        #expect(card.messageID != notice.messageID && bot.telegram.botMessages(in: alice.id).count == before + 1)

        // New credentials send the key back to PENDING: the approval notice's Activate no longer applies.
        let fresh = FakeAccount.random(for: .binance)
        bot.exchanges[.binance]!.register(fresh)
        _ = bot.telegram.pressButton(from: alice, on: card, caption: "Update keys")
        _ = try await bot.waitForBotMessage(in: alice.id, containing: "New credentials")
        bot.say(alice, fresh.apiKey)
        _ = try await bot.waitForBotMessage(in: alice.id, containing: "API secret")
        bot.say(alice, fresh.secret)
        _ = try await bot.waitForBotMessage(in: alice.id) {
            $0.text.contains("awaiting approval") && $0.text.contains(KeyMask.mask(fresh.apiKey))
        }
        let stale = bot.telegram.pressButton(from: alice, on: notice, caption: "Activate")
        let answer = await waitForAnswer(bot, stale)
        #expect(answer?.showAlert == true && answer?.answerText?.contains("no longer valid") == true)
        let keys = try await bot.keys(ofTelegramUser: alice.id)
        #expect(keys.count == 1 && keys[0].status == .pending && !keys[0].isActive)
        try await bot.stopBot()
    }

    @Test func cardsAreEditedInPlaceAfterDeactivateAndDelete() async throws {
        let bot = try await BotHarness.start(exchanges: [.binance])
        defer { Task { await bot.stop() } }
        _ = try await addApprovedKey(bot, label: "Main")
        _ = try await addApprovedKey(bot, label: "Spare")

        bot.say(alice, "/exchanges")
        let main = try await bot.waitForBotMessage(in: alice.id) {
            $0.text.contains("«Main»") && $0.button("Activate") != nil && $0.button("Delete") != nil
        }
        let spare = try await bot.waitForBotMessage(in: alice.id) {
            $0.text.contains("«Spare»") && $0.button("Activate") != nil && $0.button("Delete") != nil
        }
        #expect(main.text.contains("This key is inactive") && main.button("Update keys") != nil)
        let sentBefore = bot.telegram.botMessages(in: alice.id).count

        // Activate, then Deactivate: the same card changes.
        _ = bot.telegram.pressButton(from: alice, on: main, caption: "Activate")
        let activated = try await bot.waitForBotMessage(in: alice.id) {
            $0.messageID == main.messageID && $0.button("Deactivate") != nil
        }
        #expect(activated.text.contains("is active"))
        _ = bot.telegram.pressButton(from: alice, on: activated, caption: "Deactivate")
        let deactivated = try await bot.waitForBotMessage(in: alice.id) {
            $0.messageID == main.messageID && $0.button("Activate") != nil && $0.editHistory.count >= 2
        }
        #expect(deactivated.text.contains("is inactive"))
        #expect(try await bot.keys(ofTelegramUser: alice.id).first { $0.label == "Main" }?.isActive == false)

        // Delete asks on the card, naming the key; an active key stops trading at once; No restores the card.
        _ = bot.telegram.pressButton(from: alice, on: deactivated, caption: "Activate")
        let active = try await bot.waitForBotMessage(in: alice.id) {
            $0.messageID == main.messageID && $0.button("Deactivate") != nil && $0.editHistory.count >= 3
        }
        _ = bot.telegram.pressButton(from: alice, on: active, caption: "Delete")
        let asked = try await bot.waitForBotMessage(in: alice.id) {
            $0.messageID == main.messageID && $0.button("Yes, delete") != nil
        }
        #expect(asked.text.contains("Delete your Binance key \"Main\""))
        #expect(asked.text.contains("stops at once"))
        _ = bot.telegram.pressButton(from: alice, on: asked, caption: "No")
        let kept = try await bot.waitForBotMessage(in: alice.id) {
            $0.messageID == main.messageID && $0.button("Deactivate") != nil && $0.button("Yes, delete") == nil
                && $0.editHistory.count >= 5
        }
        #expect(kept.text.contains("is active"))

        // The inactive key: no "stops trading"; once deleted, the card says so and reminds of the exchange.
        _ = bot.telegram.pressButton(from: alice, on: spare, caption: "Delete")
        let confirm = try await bot.waitForBotMessage(in: alice.id) {
            $0.messageID == spare.messageID && $0.button("Yes, delete") != nil
        }
        #expect(confirm.text.contains("\"Spare\"") && !confirm.text.contains("stops at once"))
        _ = bot.telegram.pressButton(from: alice, on: confirm, caption: "Yes, delete")
        let deleted = try await bot.waitForBotMessage(in: alice.id) {
            $0.messageID == spare.messageID && $0.text.contains("deleted")
        }
        #expect(deleted.text.contains("Delete it on Binance too") && deleted.inlineKeyboard.isEmpty)
        let keys = try await bot.keys(ofTelegramUser: alice.id)
        #expect(keys.map(\.label) == ["Main"] && keys[0].isActive)

        // Every answer was an edit: no message was added to the chat.
        #expect(bot.telegram.botMessages(in: alice.id).count == sentBefore)
        // The deleted key's old buttons are stale.
        let stale = bot.telegram.pressButton(from: alice, on: spare, caption: "Update keys")
        let answer = await waitForAnswer(bot, stale)
        #expect(answer?.showAlert == true && answer?.answerText?.contains("no longer valid") == true)
        #expect(bot.telegram.unansweredCallbackQueries().isEmpty)
        try await bot.stopBot()
    }
}
