import BearerTokens
import ExchangeBotCore
import ExchangeBotStorage
import Fernet
import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The bot as users and admins meet it: the real `run` wiring against the fake Bot API and fake exchanges.
@Suite(.serialized) struct BotEndToEndTests {
    let alice = FakeUser(id: 5_000_001, firstName: "Alice", username: "alice")

    @Test(arguments: StoreEngine.allCases) func aKeyIsAddedApprovedAndActivated(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        let bot = try await BotHarness.start(
            engine: engine,
            exchanges: [.okx]
        )
        defer { Task { await bot.stop() } }
        let account = FakeAccount.random(for: .okx, ipRestricted: true)
        bot.exchanges[.okx]!.register(account)
        let label = "Main <b>&amp; \"quoted\" 🚀"

        let credentialMessages = try await bot.addKey(
            alice,
            exchange: .okx,
            label: label,
            apiKey: account.apiKey,
            secret: account.secret,
            passphrase: account.passphrase
        )
        let waiting = try await bot.waitForBotMessage(in: alice.id, containing: "awaiting approval")
        #expect(waiting.text.contains(label), "the label comes back exactly as typed: \(waiting.text)")

        // Every message holding a credential is gone; nothing the bot wrote repeats a secret.
        for id in credentialMessages.dropFirst() {
            #expect(bot.telegram.message(in: alice.id, id: id)?.isDeleted == true)
        }
        for message in bot.telegram.messages(in: alice.id) where message.isOutgoing {
            #expect(!message.rawText.contains(account.secret))
            #expect(!message.rawText.contains(account.passphrase ?? "§"))
        }

        // The admin group gets the request with what validation found.
        let request = try await bot.waitForBotMessage(in: bot.adminGroup.id) { $0.button("Approve") != nil }
        #expect(request.text.contains(label))
        #expect(request.text.contains("OKX"))
        #expect(request.text.contains(KeyMask.mask(account.apiKey)))
        #expect(request.text.contains("@alice"))
        #expect(request.button("Reject") != nil)

        _ = bot.telegram.pressButton(from: bot.listedAdmin, on: request, caption: "Approve")
        _ = try await bot.waitForBotMessage(in: alice.id, containing: "approved")
        let decided = try await bot.waitForBotMessage(in: bot.adminGroup.id) {
            $0.messageID == request.messageID && $0.text.contains("Approved by @ada")
        }
        #expect(decided.inlineKeyboard.isEmpty, "buttons are removed once decided")

        bot.say(alice, "/exchanges")
        let list = try await bot.waitForBotMessage(in: alice.id) { $0.button("Activate") != nil }
        _ = bot.telegram.pressButton(from: alice, on: list, caption: "Activate")
        _ = try await bot.waitForBotMessage(in: alice.id, containing: "is active")

        let keys = try await bot.keys(ofTelegramUser: alice.id)
        #expect(keys.count == 1)
        #expect(keys.first?.status == .approved && keys.first?.isActive == true)
        #expect(keys.first?.label == label)
        #expect(bot.telegram.unansweredCallbackQueries().isEmpty)
        let bytes = try await bot.storedBytes()
        #expect(bytes.range(of: Data(account.secret.utf8)) == nil, "no secret in the database files in clear")
        #expect(bytes.range(of: Data((account.passphrase ?? "§").utf8)) == nil)
        // The command menus were set for private chats (both languages) and the admin group.
        let scopes = bot.telegram.commandSets().map { "\($0.scope)" }
        #expect(scopes.contains { $0.contains("all_private_chats") })
        #expect(scopes.contains { $0.contains(String(bot.adminGroup.id)) })
        try await bot.stopBot()
    }

    @Test(arguments: StoreEngine.allCases) func aRejectionAsksForTheReasonAndPassesItOn(engine: StoreEngine)
        async throws
    {
        guard engine.isAvailable else { return }
        let bot = try await BotHarness.start(
            engine: engine,
            exchanges: [.binance]
        )
        defer { Task { await bot.stop() } }
        let account = FakeAccount.random(for: .binance)
        bot.exchanges[.binance]!.register(account)
        _ = try await bot.addKey(
            alice,
            exchange: .binance,
            label: "Spot",
            apiKey: account.apiKey,
            secret: account.secret,
            passphrase: nil
        )
        let request = try await bot.waitForBotMessage(in: bot.adminGroup.id) { $0.button("Reject") != nil }
        // Grace is an admin of the group without being listed: getChatMember says so.
        _ = bot.telegram.pressButton(from: bot.groupAdmin, on: request, caption: "Reject")
        let prompt = try await bot.waitForBotMessage(in: bot.adminGroup.id) { $0.forcesReply }
        #expect(prompt.text.contains("reason"))
        try await bot.waitForReasonPromptRecord(prompt)
        bot.telegram.sendUserMessage(
            from: bot.groupAdmin,
            chat: bot.adminGroup,
            text: "IP whitelist <missing> & too broad",
            replyTo: prompt.messageID
        )
        let notice = try await bot.waitForBotMessage(in: alice.id, containing: "rejected")
        #expect(notice.text.contains("IP whitelist <missing> & too broad"))
        let decided = try await bot.waitForBotMessage(in: bot.adminGroup.id) {
            $0.messageID == request.messageID && $0.text.contains("Rejected by @grace")
        }
        #expect(decided.inlineKeyboard.isEmpty)
        let keys = try await bot.keys(ofTelegramUser: alice.id)
        #expect(keys.first?.status == .rejected)
        #expect(keys.first?.errorMessage == "IP whitelist <missing> & too broad")
        try await bot.stopBot()
    }

    @Test(arguments: StoreEngine.allCases) func theExchangesRefusalsAreExplainedAndNothingIsStored(engine: StoreEngine)
        async throws
    {
        guard engine.isAvailable else { return }
        let bot = try await BotHarness.start(
            engine: engine,
            exchanges: [.kucoin, .bybit]
        )
        defer { Task { await bot.stop() } }
        let kucoin = FakeAccount.random(for: .kucoin)
        bot.exchanges[.kucoin]!.register(kucoin)
        _ = try await bot.addKey(
            alice,
            exchange: .kucoin,
            label: "K",
            apiKey: kucoin.apiKey,
            secret: kucoin.secret,
            passphrase: "not-\(kucoin.passphrase ?? "")"
        )
        _ = try await bot.waitForBotMessage(in: alice.id, containing: "passphrase is wrong")

        let bybit = FakeAccount.random(for: .bybit, canWithdraw: true)
        bot.exchanges[.bybit]!.register(bybit)
        _ = try await bot.addKey(
            alice,
            exchange: .bybit,
            label: "B",
            apiKey: bybit.apiKey,
            secret: bybit.secret,
            passphrase: nil
        )
        _ = try await bot.waitForBotMessage(in: alice.id, containing: "can withdraw")
        #expect(try await bot.keys(ofTelegramUser: alice.id).isEmpty)
        #expect(bot.telegram.botMessages(in: bot.adminGroup.id).isEmpty, "admins see only keys that work")
        try await bot.stopBot()
    }

    @Test(arguments: StoreEngine.allCases) func onlyAdminsDecideAndTwoAdminsAtOnceGetOneDecision(engine: StoreEngine)
        async throws
    {
        guard engine.isAvailable else { return }
        let bot = try await BotHarness.start(
            engine: engine,
            exchanges: [.gate]
        )
        defer { Task { await bot.stop() } }
        let account = FakeAccount.random(for: .gate)
        bot.exchanges[.gate]!.register(account)
        _ = try await bot.addKey(
            alice,
            exchange: .gate,
            label: "G",
            apiKey: account.apiKey,
            secret: account.secret,
            passphrase: nil
        )
        let request = try await bot.waitForBotMessage(in: bot.adminGroup.id) { $0.button("Approve") != nil }
        let refused = try #require(bot.telegram.pressButton(from: bot.bystander, on: request, caption: "Approve"))
        #expect(
            await bot.telegram.waitUntil {
                bot.telegram.callbackQueries().first { $0.id == refused }?.isAnswered == true
            }
        )
        let refusal = bot.telegram.callbackQueries().first { $0.id == refused }
        #expect(refusal?.showAlert == true && refusal?.answerText?.contains("Only admins") == true)
        #expect(try await bot.keys(ofTelegramUser: alice.id).first?.status == .pending)

        // Two admins press at the same moment: one approves, the other is told who did.
        let first = bot.telegram.pressButton(from: bot.listedAdmin, on: request, caption: "Approve")
        let second = bot.telegram.pressButton(from: bot.groupAdmin, on: request, caption: "Reject")
        let both = [first, second].compactMap { $0 }
        #expect(
            await bot.telegram.waitUntil {
                both.allSatisfy { id in bot.telegram.callbackQueries().first { $0.id == id }?.isAnswered == true }
            }
        )
        let answers = bot.telegram.callbackQueries().filter { both.contains($0.id) }
        #expect(answers.filter { $0.showAlert }.count == 1)
        #expect(answers.contains { $0.answerText?.contains("already approved by @ada") == true })
        _ = try await bot.waitForBotMessage(in: alice.id, containing: "approved")
        #expect(try await bot.keys(ofTelegramUser: alice.id).first?.status == .approved)
        // No reason prompt was posted for the losing Reject.
        #expect(!bot.telegram.botMessages(in: bot.adminGroup.id).contains { $0.forcesReply })
        try await bot.stopBot()
    }

    /// A decision over the REST API reaches the owner and the admin group on Telegram, through the same notifier.
    @Test(arguments: StoreEngine.allCases) func aRESTDecisionIsAnnouncedOnTelegram(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        let port = try FreePort.loopback()
        let bot = try await BotHarness.start(
            engine: engine,
            exchanges: [.bybit],
            extraEnvironment: ["SECRET_KEY": "rest-secret", "API_PORT": String(port)]
        )
        defer { Task { await bot.stop() } }
        let account = FakeAccount.random(for: .bybit)
        bot.exchanges[.bybit]!.register(account)
        _ = try await bot.addKey(
            alice,
            exchange: .bybit,
            label: "Via REST",
            apiKey: account.apiKey,
            secret: account.secret,
            passphrase: nil
        )
        let request = try await bot.waitForBotMessage(in: bot.adminGroup.id) { $0.button("Approve") != nil }
        let key = try #require(try await bot.keys(ofTelegramUser: alice.id).first)
        let adminID = try await bot.createUser(username: "rest-admin", isAdmin: true)
        let token = BearerTokenAuthority(secretKey: "rest-secret", maxAge: 3600).mint(userID: adminID)
        var call = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/admin/exchanges/\(key.id)/approve")!)
        call.httpMethod = "POST"
        call.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        call.setValue("application/json", forHTTPHeaderField: "Content-Type")
        call.httpBody = Data(#"{"notification_message": "Go & trade <safely>"}"#.utf8)
        let (_, response) = try await URLSession.shared.data(for: call)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)

        let notice = try await bot.waitForBotMessage(in: alice.id, containing: "approved")
        #expect(notice.text.contains("Go & trade <safely>"))
        _ = try await bot.waitForBotMessage(in: bot.adminGroup.id) {
            $0.messageID == request.messageID && $0.text.contains("Approved by rest-admin") && $0.inlineKeyboard.isEmpty
        }
        try await bot.stopBot()
    }

    @Test(arguments: StoreEngine.allCases) func groupsNeverTakeKeys(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        let bot = try await BotHarness.start(
            engine: engine,
            exchanges: []
        )
        defer { Task { await bot.stop() } }
        let group = FakeChat.group(id: -4_242, title: "Traders")
        bot.telegram.setMember(alice, in: group, status: .member)
        bot.telegram.sendUserMessage(from: alice, chat: group, text: "/add")
        let answer = try await bot.waitForBotMessage(in: group.id, containing: "private chat")
        // One tap opens the private chat with `/start add`, the deep link that starts `/add`.
        let link = answer.button("Open a private chat")
        // `exchange_test_bot` is the fake Telegram's bot, as its getMe says.
        #expect(link?.url == "https://t.me/exchange_test_bot?start=add")
        try await bot.stopBot()
    }
}
