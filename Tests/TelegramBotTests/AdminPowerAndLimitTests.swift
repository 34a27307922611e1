import ExchangeBotCore
import ExchangeBotStorage
import Fernet
import Foundation
import GRDB
import TestSupport
import Testing

/// Issue 9 end to end, against the fake Bot API: who may decide, what the admin group is shown, floods, and what a
/// failing database must not cause.
@Suite(.serialized) struct AdminPowerAndLimitTests {
    let erin = FakeUser(id: 5_000_201, firstName: "Erin", username: "erin")
    /// An administrator of the admin group in name only, or with the rights a test gives.
    let eve = FakeUser(id: 900_010, firstName: "Eve", username: "eve")

    /// Plays `/add` for a fresh account of `exchange` and returns the request posted in the admin group.
    func submitKey(_ bot: BotHarness, label: String, exchange: ExchangeID = .binance, in group: Int64? = nil)
        async throws -> FakeSentMessage
    {
        let account = FakeAccount.random(for: exchange)
        bot.exchanges[exchange]!.register(account)
        _ = try await bot.addKey(
            erin,
            exchange: exchange,
            label: label,
            apiKey: account.apiKey,
            secret: account.secret,
            passphrase: account.passphrase
        )
        return try await bot.waitForBotMessage(in: group ?? bot.adminGroup.id) {
            $0.button("Approve") != nil && $0.text.contains(label)
        }
    }

    func status(of keyLabel: String, _ bot: BotHarness) async throws -> KeyStatus? {
        try await bot.keys(ofTelegramUser: erin.id).first { $0.label == keyLabel }?.status
    }

    // MARK: - Item 1

    /// The admin group moved to a supergroup, then the operator pointed `ADMIN_CHAT_ID` at another group: requests
    /// go to the new group, and the old supergroup's admins decide nothing.
    @Test func theOldAdminGroupLosesPowerWhenADMIN_CHAT_IDChanges() async throws {
        let basic = FakeChat.group(id: -4_000_101, title: "Old approvals")
        let bot = try await BotHarness.start(exchanges: [.binance], adminGroup: basic)
        defer { Task { await bot.stop() } }
        _ = try await submitKey(bot, label: "Before")
        let supergroup = bot.telegram.migrateGroup(basic, to: -1_009_999_000_101, by: bot.listedAdmin)
        let store = SQLiteBotStore(database: try bot.database(), ring: try MultiFernet(keys: [bot.key]))
        var moved = false
        for _ in 0..<200 where !moved {
            moved = try await store.adminChatOverride(configured: basic.id) == supergroup.id
            if !moved { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(moved)
        try await bot.stopBot()

        let newGroup = FakeChat.supergroup(id: -1_005_555_000_101, title: "New approvals")
        bot.telegram.addChat(newGroup)
        bot.telegram.setMember(bot.telegram.bot, in: newGroup, status: .administrator)
        try await bot.startBot(overriding: ["ADMIN_CHAT_ID": String(newGroup.id)])
        let request = try await submitKey(bot, label: "After", in: newGroup.id)
        #expect(bot.telegram.botMessages(in: supergroup.id).allSatisfy { !$0.text.contains("After") })

        // The old group's administrator presses a button for the new request there (a forged or copied one).
        let data = try #require(request.button("Approve")?.callbackData)
        let query = bot.telegram.pressButton(from: bot.groupAdmin, message: (supergroup, 1), data: data)
        #expect(
            await bot.telegram.waitUntil { bot.telegram.callbackQueries().first { $0.id == query }?.isAnswered == true }
        )
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await status(of: "After", bot) == .pending)
        try await bot.stopBot()
    }

    // MARK: - Item 6

    /// An administrator without the right to manage the chat or delete messages cannot decide; once given the
    /// right (a `chat_member` update), they can at once, without waiting for the cache.
    @Test func onlyAdministratorsWhoRunTheGroupDecide() async throws {
        let bot = try await BotHarness.start(exchanges: [.binance])
        defer { Task { await bot.stop() } }
        bot.telegram.setAdministrator(eve, in: bot.adminGroup, rights: ["can_invite_users", "can_pin_messages"])
        let request = try await submitKey(bot, label: "Rights")
        let refused = try #require(bot.telegram.pressButton(from: eve, on: request, caption: "Approve"))
        #expect(
            await bot.telegram.waitUntil {
                bot.telegram.callbackQueries().first { $0.id == refused }?.isAnswered == true
            }
        )
        let answer = bot.telegram.callbackQueries().first { $0.id == refused }
        #expect(answer?.answerText?.contains("Only admins") == true)
        #expect(try await status(of: "Rights", bot) == .pending)

        bot.telegram.changeMember(
            eve,
            in: bot.adminGroup,
            to: .administrator,
            rights: ["can_delete_messages"],
            by: bot.listedAdmin
        )
        _ = bot.telegram.pressButton(from: eve, on: request, caption: "Approve")
        _ = try await bot.waitForBotMessage(in: erin.id) { $0.text.contains("approved") && $0.text.contains("Rights") }
        try await bot.stopBot()
    }

    /// Telegram does not answer whether the presser is an admin: nothing is decided, the alert says why (not "only
    /// admins"), the refusal is audited as such, and the next press, with Telegram answering again, decides.
    @Test func aFailedAdminLookupDecidesNothingAndSaysSo() async throws {
        let bot = try await BotHarness.start(exchanges: [.binance])
        defer { Task { await bot.stop() } }
        let request = try await submitKey(bot, label: "Lookup")
        // The directory asks twice at most for a press.
        bot.telegram.injectErrors([.serverError(status: 500), .serverError(status: 500)], for: "getChatMember")
        let failed = try #require(bot.telegram.pressButton(from: bot.groupAdmin, on: request, caption: "Approve"))
        #expect(
            await bot.telegram.waitUntil {
                bot.telegram.callbackQueries().first { $0.id == failed }?.isAnswered == true
            }
        )
        let alert = bot.telegram.callbackQueries().first { $0.id == failed }?.answerText ?? ""
        #expect(alert.contains("did not say whether you are an admin") && !alert.contains("Only admins"), "\(alert)")
        #expect(try await status(of: "Lookup", bot) == .pending)
        // Audited after the alert is answered: wait for the row.
        let database = try bot.database()
        let refusals = { @Sendable in
            (try? database.writer.read { db in
                try String.fetchAll(
                    db,
                    sql: "SELECT detail FROM audit_log WHERE outcome = 'refused' AND telegram_id = ?",
                    arguments: [bot.groupAdmin.id]
                )
            }) ?? []
        }
        #expect(await bot.telegram.waitUntil { !refusals().isEmpty })
        #expect(refusals() == ["admin_check_failed"])

        _ = bot.telegram.pressButton(from: bot.groupAdmin, on: request, caption: "Approve")
        _ = try await bot.waitForBotMessage(in: erin.id) { $0.text.contains("approved") && $0.text.contains("Lookup") }
        try await bot.stopBot()
    }

    /// A demoted admin loses the right with the `chat_member` update, not a minute later.
    @Test func aDemotionTakesEffectAtOnce() async throws {
        let bot = try await BotHarness.start(exchanges: [.binance])
        defer { Task { await bot.stop() } }
        let first = try await submitKey(bot, label: "First")
        _ = bot.telegram.pressButton(from: bot.groupAdmin, on: first, caption: "Approve")
        _ = try await bot.waitForBotMessage(in: erin.id) { $0.text.contains("approved") && $0.text.contains("First") }
        let second = try await submitKey(bot, label: "Second")

        #expect(bot.telegram.changeMember(bot.groupAdmin, in: bot.adminGroup, to: .member, by: bot.listedAdmin) != nil)
        let refused = try #require(bot.telegram.pressButton(from: bot.groupAdmin, on: second, caption: "Approve"))
        #expect(
            await bot.telegram.waitUntil {
                bot.telegram.callbackQueries().first { $0.id == refused }?.isAnswered == true
            }
        )
        #expect(bot.telegram.callbackQueries().first { $0.id == refused }?.answerText?.contains("Only admins") == true)
        #expect(try await status(of: "Second", bot) == .pending)
        try await bot.stopBot()
    }

    /// A command an admin sends anonymously arrives from Telegram's stand-in account, which names no one: it
    /// decides nothing, even where Telegram would report the stand-in as an administrator.
    @Test func anAnonymousAdminDecidesNothing() async throws {
        let bot = try await BotHarness.start(exchanges: [.binance])
        defer { Task { await bot.stop() } }
        let anonymous = FakeUser(id: 1_087_968_824, firstName: "Group", username: "GroupAnonymousBot", isBot: true)
        bot.telegram.setMember(anonymous, in: bot.adminGroup, status: .administrator)
        _ = try await submitKey(bot, label: "Anonymous")
        let keyID = try #require(try await bot.keys(ofTelegramUser: erin.id).first?.id)
        bot.telegram.sendUserMessage(from: anonymous, chat: bot.adminGroup, text: "/approve \(keyID)")
        _ = try await bot.waitForBotMessage(in: bot.adminGroup.id, containing: "Only admins")
        #expect(try await status(of: "Anonymous", bot) == .pending)
        try await bot.stopBot()
    }

    // MARK: - Item 13

    /// A label that reads backwards is asked for again; requests (which carry user text) go out without link
    /// previews.
    @Test func labelsAreVisibleTextAndRequestsHaveNoLinkPreview() async throws {
        let bot = try await BotHarness.start(exchanges: [.binance])
        defer { Task { await bot.stop() } }
        bot.say(erin, "/add")
        let choice = try await bot.waitForBotMessage(in: erin.id) { $0.button("Binance") != nil }
        _ = bot.telegram.pressButton(from: erin, on: choice, caption: "Binance")
        _ = try await bot.waitForBotMessage(in: erin.id, containing: "send a name")
        bot.say(erin, "invoice\u{202E}fdp.exe")
        _ = try await bot.waitForBotMessage(in: erin.id, containing: "does not work")
        bot.say(erin, "/cancel")

        let request = try await submitKey(bot, label: "see https://example.com/x")
        let toAdmins = { @Sendable in
            bot.telegram.calls("sendMessage").filter { $0.parameters["chat_id"]?.int64Value == bot.adminGroup.id }
        }
        #expect(await bot.telegram.waitUntil { !toAdmins().isEmpty })
        for send in toAdmins() {
            #expect(send.parameters["link_preview_options"]?["is_disabled"]?.boolValue == true)
        }
        _ = bot.telegram.pressButton(from: bot.listedAdmin, on: request, caption: "Approve")
        _ = try await bot.waitForBotMessage(in: bot.adminGroup.id) {
            $0.messageID == request.messageID && $0.text.contains("Approved by")
        }
        // The fake shows the edited text a moment before it records the call: wait for the record.
        #expect(await bot.telegram.waitUntil { !bot.telegram.calls("editMessageText").isEmpty })
        let edits = bot.telegram.calls("editMessageText")
        #expect(
            !edits.isEmpty
                && edits.allSatisfy { $0.parameters["link_preview_options"]?["is_disabled"]?.boolValue == true }
        )
        try await bot.stopBot()
    }

    // MARK: - Item 14

    /// Beyond `BOT_INBOUND_LIMIT` the bot goes quiet for the user, with one notice.
    @Test func aFloodingUserGetsOneNoticeThenSilence() async throws {
        let bot = try await BotHarness.start(exchanges: [], extraEnvironment: ["BOT_INBOUND_LIMIT": "3/minute"])
        defer { Task { await bot.stop() } }
        for _ in 0..<6 { bot.say(erin, "/help") }
        _ = try await bot.waitForBotMessage(in: erin.id, containing: "too fast")
        try await Task.sleep(for: .seconds(4))
        let texts = bot.telegram.botMessages(in: erin.id).map(\.text)
        #expect(texts.filter { $0.contains("How it works") }.count == 3)
        #expect(texts.filter { $0.contains("too fast") }.count == 1)
        try await bot.stopBot()
    }

    /// A user over the inbound budget who pastes a key (no `/add` under way): no answer, but the key does not stay
    /// on screen, and ordinary text does.
    @Test func aQuietUserStillHasAPastedKeyDeleted() async throws {
        let bot = try await BotHarness.start(exchanges: [], extraEnvironment: ["BOT_INBOUND_LIMIT": "3/minute"])
        defer { Task { await bot.stop() } }
        for _ in 0..<3 { bot.say(erin, "/help") }
        let chatter = bot.say(erin, "hello")
        let key = bot.say(erin, "hbVz9KqP2mXw7RtY4nLc8JdF")
        _ = try await bot.waitForBotMessage(in: erin.id, containing: "too fast")
        #expect(
            await bot.telegram.waitUntil { bot.telegram.message(in: erin.id, id: key)?.isDeleted == true },
            "the pasted key is deleted"
        )
        #expect(bot.telegram.message(in: erin.id, id: chatter)?.isDeleted == false)
        #expect(!bot.telegram.botMessages(in: erin.id).contains { $0.text.contains("looks like a key") })
        try await bot.stopBot()
    }

    /// Beyond `API_KEY_SUBMIT_LIMIT` a key check is refused with a clear text, and `/add` starts afresh.
    @Test func tooManyKeyChecksAreRefusedClearly() async throws {
        let bot = try await BotHarness.start(
            exchanges: [.binance],
            extraEnvironment: ["API_KEY_SUBMIT_LIMIT": "1/hour"]
        )
        defer { Task { await bot.stop() } }
        _ = try await submitKey(bot, label: "One")
        let account = FakeAccount.random(for: .binance)
        bot.exchanges[.binance]!.register(account)
        _ = try await bot.addKey(
            erin,
            exchange: .binance,
            label: "Two",
            apiKey: account.apiKey,
            secret: account.secret,
            passphrase: nil
        )
        _ = try await bot.waitForBotMessage(in: erin.id, containing: "too many key checks")
        #expect(try await bot.keys(ofTelegramUser: erin.id).map(\.label) == ["One"])
        let before = bot.telegram.botMessages(in: erin.id).last?.messageID ?? 0
        bot.say(erin, "/add")
        _ = try await bot.waitForBotMessage(in: erin.id) { $0.button("Binance") != nil && $0.messageID > before }
        try await bot.stopBot()
    }
}
