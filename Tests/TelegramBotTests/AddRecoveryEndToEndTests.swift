import BotConversation
import ExchangeBotCore
import Foundation
import TelegramBot
import TestSupport
import Testing

/// The `/add` flow's recovery through the real wiring, against the fake Bot API and a fake exchange.
@Suite(.serialized) struct AddRecoveryEndToEndTests {
    let carol = FakeUser(id: 5_000_301, firstName: "Carol", username: "carol")

    /// A wrong OKX passphrase costs one passphrase, not five inputs: the bot asks once more, deletes both
    /// passphrase messages, and stores one key. The key is not IP-bound, and the user hears it with the answer.
    @Test func aWrongPassphraseIsAskedForAgainAndTheRightOneStoresOneKey() async throws {
        let bot = try await BotHarness.start(exchanges: [.okx])
        defer { Task { await bot.stop() } }
        let account = FakeAccount.random(for: .okx, ipRestricted: false)
        bot.exchanges[.okx]!.register(account)
        var credentialMessages = try await bot.addKey(
            carol,
            exchange: .okx,
            label: "Main",
            apiKey: account.apiKey,
            secret: account.secret,
            passphrase: "Not-" + account.passphrase!
        )
        _ = try await bot.waitForBotMessage(in: carol.id, containing: "passphrase is wrong")
        credentialMessages.append(bot.say(carol, account.passphrase!))
        let done = try await bot.waitForBotMessage(in: carol.id, containing: "awaiting approval")
        #expect(done.text.contains("Main"))
        #expect(done.text.contains("not restricted to our server's IP"))
        let reasks = bot.telegram.botMessages(in: carol.id).filter { $0.text.contains("passphrase is wrong") }
        #expect(reasks.count == 1)
        #expect(credentialMessages.count == 4)
        for id in credentialMessages {
            #expect(bot.telegram.message(in: carol.id, id: id)?.isDeleted == true, "message \(id) is deleted")
        }
        let keys = try await bot.keys(ofTelegramUser: carol.id)
        #expect(keys.count == 1)
        #expect(keys.first?.apiKey == account.apiKey)
        try await bot.stopBot()
    }

    /// The key is refused for the IP whitelist: the draft waits (encrypted) under `Check again`, and once the user
    /// fixed the whitelist on the exchange, one press stores the key with nothing typed again.
    @Test func checkAgainAfterFixingTheWhitelistStoresTheKey() async throws {
        let bot = try await BotHarness.start(exchanges: [.okx])
        defer { Task { await bot.stop() } }
        var account = FakeAccount.random(for: .okx, ipAllowed: false)
        bot.exchanges[.okx]!.register(account)
        _ = try await bot.addKey(
            carol,
            exchange: .okx,
            label: "Main",
            apiKey: account.apiKey,
            secret: account.secret,
            passphrase: account.passphrase
        )
        let refusal = try await bot.waitForBotMessage(in: carol.id) { $0.button("Check again") != nil }
        #expect(refusal.button("Re-enter key") != nil && refusal.button("Cancel") != nil)
        let bytes = try await bot.storedBytes()
        #expect(bytes.range(of: Data(account.secret.utf8)) == nil, "the kept draft is encrypted")
        #expect(bytes.range(of: Data(account.passphrase!.utf8)) == nil)
        #expect(try await bot.keys(ofTelegramUser: carol.id).isEmpty)

        account.ipAllowed = true
        bot.exchanges[.okx]!.register(account)
        _ = bot.telegram.pressButton(from: carol, on: refusal, caption: "Check again")
        _ = try await bot.waitForBotMessage(in: carol.id, containing: "awaiting approval")
        #expect(try await bot.keys(ofTelegramUser: carol.id).count == 1)
        try await bot.stopBot()
    }

    /// A screenshot of the secret is a credential too: deleted at once, and the user asked for text.
    @Test func aPhotoAtTheSecretStepIsDeletedAndAnswered() async throws {
        let bot = try await BotHarness.start(exchanges: [.okx])
        defer { Task { await bot.stop() } }
        bot.say(carol, "/add")
        let choice = try await bot.waitForBotMessage(in: carol.id) { $0.button("OKX") != nil }
        _ = bot.telegram.pressButton(from: carol, on: choice, caption: "OKX")
        _ = try await bot.waitForBotMessage(in: carol.id, containing: "send a name")
        bot.say(carol, "Main")
        _ = try await bot.waitForBotMessage(in: carol.id, containing: "API key")
        bot.say(carol, "okx-key-0123456789")
        _ = try await bot.waitForBotMessage(in: carol.id, containing: "API secret")
        // On a phone the question scrolls away: the reply box itself says what to paste.
        #expect(
            await bot.telegram.waitUntil {
                bot.telegram.calls("sendMessage").contains { call in
                    let markup = "\(call.parameters["reply_markup"] ?? .null)"
                    return markup.contains("input_field_placeholder") && markup.contains("Paste the API secret")
                }
            }
        )
        let photo = bot.telegram.sendUserPhoto(from: carol, chat: BotHarness.chat(carol), caption: "my secret")
        _ = try await bot.waitForBotMessage(in: carol.id, containing: "paste it as text")
        #expect(bot.telegram.message(in: carol.id, id: photo)?.isDeleted == true)
        // The draft is still at the secret step: the secret as text goes on to the passphrase.
        bot.say(carol, "TOP-SECRET-VALUE")
        _ = try await bot.waitForBotMessage(in: carol.id, containing: "passphrase")
        try await bot.stopBot()
    }

    /// `/start add` (the deep link) starts `/add`; `/start` offers the two buttons.
    @Test func startAddIsADeepLinkToAdd() async throws {
        let bot = try await BotHarness.start(exchanges: [.okx])
        defer { Task { await bot.stop() } }
        bot.say(carol, "/start add")
        let picker = try await bot.waitForBotMessage(in: carol.id) { $0.button("OKX") != nil }
        #expect(picker.button("Coinbase Exchange") != nil)
        _ = bot.telegram.pressButton(from: carol, on: picker, caption: "OKX")
        _ = try await bot.waitForBotMessage(in: carol.id, containing: "send a name")
        let edited = bot.telegram.message(in: carol.id, id: picker.messageID)
        #expect(edited?.button("OKX") == nil, "the picker's buttons are gone after the choice")
        bot.say(carol, "/start")
        let start = try await bot.waitForBotMessage(in: carol.id) { $0.button("Add a key") != nil }
        #expect(start.button("My keys") != nil)
        try await bot.stopBot()
    }
}
