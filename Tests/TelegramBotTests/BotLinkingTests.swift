import BearerTokens
import BotConversation
import ExchangeBotApp
import ExchangeBotCore
import ExchangeBotStorage
import Fernet
import Foundation
import GRDB
import PostgresNIO
import PostgresStorage
import TelegramAPIClient
import TelegramBot
import TestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Linking a Telegram account to a platform user through the running bot: `/start <code>` → "Link" → linked,
/// refusals, groups, `/unlink`, and `TELEGRAM_SIGNUP=linked`.
@Suite(.serialized) struct BotLinkingTests {
    let dana = FakeUser(id: 5_000_301, firstName: "Dana", username: "dana_tg")
    let eve = FakeUser(id: 5_000_302, firstName: "Eve", username: "eve_tg")

    /// A platform user with an email and no Telegram account.
    func platformUser(_ bot: BotHarness, _ name: String) async throws -> Int64 {
        switch bot.engine {
        case .sqlite:
            let store = SQLiteExchangeStore(database: try bot.database(), ring: try .init(keys: [bot.key]))
            return try await store.createUser(username: name, email: "\(name)@example.com", at: Date()).id
        case .postgres:
            let email = "\(name)@example.com"
            let rows = try await bot.postgres().query(
                "INSERT INTO users (username, email, is_admin, is_active) VALUES (\(name), \(email), FALSE, TRUE) RETURNING id"
            )
            for try await id in rows.decode(Int64.self) { return id }
            throw HarnessFailure("no user id came back")
        }
    }

    /// A code for `userID`, issued as `link-code` and the REST API issue them.
    func code(_ bot: BotHarness, for userID: Int64, lifetime: TimeInterval = 600) async throws -> String {
        let stores = try bot.stores()
        let links = try #require(stores.exchange as? any AccountLinkStore)
        let linking = AccountLinking(
            links: links,
            users: stores.exchange,
            codes: RandomLinkCodes(),
            codeLifetime: lifetime
        )
        return try await linking.issue(for: userID, by: .system).code
    }

    /// Links `user`'s Telegram account to `userID` as a user does: `/start <code>`, then `Link`.
    func linkInChat(_ bot: BotHarness, _ user: FakeUser, to userID: Int64) async throws {
        bot.say(user, "/start \(try await code(bot, for: userID))")
        let confirm = try await bot.waitForBotMessage(in: user.id) { $0.button("Link") != nil }
        _ = bot.telegram.pressButton(from: user, on: confirm, caption: "Link")
        _ = try await bot.waitForBotMessage(in: user.id, containing: "is linked to account")
    }

    @Test(arguments: StoreEngine.allCases) func startWithACodeAndLinkLinks(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        let bot = try await BotHarness.start(engine: engine, exchanges: [])
        defer { Task { await bot.stop() } }
        let alice = try await platformUser(bot, "alice")
        let code = try await code(bot, for: alice)

        bot.say(dana, "/start \(code)")
        let confirm = try await bot.waitForBotMessage(in: dana.id) { $0.button("Link") != nil }
        #expect(confirm.text.contains("alice (a…@example.com)"))
        #expect(!confirm.text.contains("alice@example.com"))
        #expect(confirm.button("Cancel") != nil)
        let query = try #require(bot.telegram.pressButton(from: dana, on: confirm, caption: "Link"))
        _ = try await bot.waitForBotMessage(in: dana.id, containing: "is linked to account")
        #expect(bot.telegram.callbackQueries().first { $0.id == query }?.isAnswered == true)
        let (_, botStore) = try bot.stores()
        let resolved = try await botStore.userAndConversation(
            telegramID: dana.id,
            username: nil,
            languageCode: nil,
            createUser: false,
            at: Date()
        )
        #expect(resolved.user?.id == alice)

        // Used: the same code again (from another Telegram account) is refused with the one text for bad codes.
        bot.say(eve, "/start \(code)")
        _ = try await bot.waitForBotMessage(in: eve.id, containing: "does not work")
        try await bot.stopBot()
    }

    @Test func forgedMalformedAndExpiredCodesGetOneText() async throws {
        let bot = try await BotHarness.start(exchanges: [])
        defer { Task { await bot.stop() } }
        let alice = try await platformUser(bot, "alice")
        let expiring = try await code(bot, for: alice, lifetime: 1)
        let forged = LinkCode.generate().text
        bot.say(dana, "/start \(forged)")
        _ = try await bot.waitForBotMessage(in: dana.id, containing: "does not work")
        bot.say(dana, "/start not/a+code")
        _ = try await bot.waitForBotMessage(in: dana.id) { $0.text.contains("does not work") && $0.messageID > 0 }
        try await Task.sleep(for: .milliseconds(1_100))
        bot.say(dana, "/start \(expiring)")
        let answers = await bot.telegram.waitUntil(timeout: .seconds(20)) {
            bot.telegram.botMessages(in: dana.id).filter { $0.text.contains("does not work") }.count == 3
        }
        #expect(answers)
        #expect(bot.telegram.botMessages(in: dana.id).allSatisfy { $0.button("Link") == nil })
        try await bot.stopBot()
    }

    @Test func anAccountLinkedElsewhereIsToldToUnlinkFirstAndUnlinkWorks() async throws {
        let bot = try await BotHarness.start(exchanges: [])
        defer { Task { await bot.stop() } }
        let alice = try await platformUser(bot, "alice")
        let frank = try await platformUser(bot, "frank")
        bot.say(dana, "/start \(try await code(bot, for: alice))")
        let first = try await bot.waitForBotMessage(in: dana.id) { $0.button("Link") != nil }
        _ = bot.telegram.pressButton(from: dana, on: first, caption: "Link")
        _ = try await bot.waitForBotMessage(in: dana.id, containing: "is linked to account")

        bot.say(dana, "/start \(try await code(bot, for: frank))")
        let second = try await bot.waitForBotMessage(in: dana.id) {
            $0.button("Link") != nil && $0.text.contains("frank")
        }
        _ = bot.telegram.pressButton(from: dana, on: second, caption: "Link")
        _ = try await bot.waitForBotMessage(in: dana.id, containing: "/unlink first")

        bot.say(dana, "/unlink")
        let ask = try await bot.waitForBotMessage(in: dana.id) { $0.button("Unlink") != nil }
        _ = bot.telegram.pressButton(from: dana, on: ask, caption: "Unlink")
        _ = try await bot.waitForBotMessage(in: dana.id, containing: "no longer linked")
        let stores = try bot.stores()
        let links = try #require(stores.exchange as? any AccountLinkStore)
        #expect(try await links.telegramLink(ofUser: alice) == nil)
        // The button again: stale, nothing happens twice.
        let query = try #require(bot.telegram.pressButton(from: dana, on: ask, caption: "Unlink"))
        let answered = await bot.telegram.waitUntil(timeout: .seconds(20)) {
            bot.telegram.callbackQueries().first { $0.id == query }?.isAnswered == true
        }
        #expect(answered)
        #expect(bot.telegram.callbackQueries().first { $0.id == query }?.answerText?.isEmpty == false)
        try await bot.stopBot()
    }

    /// The first press on a Telegram account that is linked to nothing (its account is the bot's own) says so.
    @Test func unlinkingAnAccountLinkedToNothingSaysSo() async throws {
        let bot = try await BotHarness.start(exchanges: [])
        defer { Task { await bot.stop() } }
        bot.say(eve, "/unlink")
        let ask = try await bot.waitForBotMessage(in: eve.id) { $0.button("Unlink") != nil }
        _ = bot.telegram.pressButton(from: eve, on: ask, caption: "Unlink")
        _ = try await bot.waitForBotMessage(in: eve.id, containing: "is not linked to any account")
        #expect(!bot.telegram.botMessages(in: eve.id).contains { $0.text.contains("no longer linked") })
        try await bot.stopBot()
    }

    /// A crash came between the unlink and the commit of the press that asked for it: handled again at the next
    /// start, the press finds the link gone by its own first run, and the user hears "no longer linked", not
    /// "not linked"; the audit log holds the unlink alone.
    @Test func anUnlinkHandledAgainAfterACrashSaysItIsDone() async throws {
        let bot = try await BotHarness.start(exchanges: [])
        defer { Task { await bot.stop() } }
        let alice = try await platformUser(bot, "alice")
        try await linkInChat(bot, dana, to: alice)
        bot.say(dana, "/unlink")
        let ask = try await bot.waitForBotMessage(in: dana.id) { $0.button("Unlink") != nil }
        try await bot.stopBot()

        // What the crashed run did: it stored the press, began its outside effect and unlinked.
        _ = bot.telegram.pressButton(from: dana, on: ask, caption: "Unlink")
        let answer = try await LoopbackHTTPClient.send(
            to: bot.telegram.baseURL,
            "POST",
            "/bot\(bot.telegram.token)/getUpdates",
            headers: [("Content-Type", "application/json")],
            body: #"{"offset":\#(bot.telegram.confirmedOffset)}"#
        )
        let envelope = try #require(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any])
        let element = try #require((envelope["result"] as? [Any])?.last)
        let press = try #require(Update.lenient(json: try JSONSerialization.data(withJSONObject: element)))
        let stores = try bot.stores()
        try await stores.bot.receive(
            [ReceivedUpdate(id: press.updateID, payload: try JSONEncoder().encode(press))],
            nextOffset: press.updateID + 1
        )
        #expect(try await stores.bot.beginOutsideEffect(updateID: press.updateID) == false)
        let links = try #require(stores.exchange as? any AccountLinkStore)
        let linking = AccountLinking(links: links, users: stores.exchange, codes: RandomLinkCodes())
        #expect(try await linking.unlink(.telegram(dana.id), by: .system) != .notLinked)

        try await bot.startBot()
        _ = try await bot.waitForBotMessage(in: dana.id, containing: "no longer linked")
        try await Task.sleep(for: .milliseconds(300))
        #expect(!bot.telegram.botMessages(in: dana.id).contains { $0.text.contains("not linked") })
        #expect(try await links.telegramLink(ofUser: alice) == nil)
        let reader = try #require(stores.exchange as? any AuditLogReader)
        let unlinks = try await reader.auditTrail(AuditQuery(limit: 200)).records.filter {
            $0.action == AuditAction.unlinkTelegram.rawValue
        }
        #expect(
            unlinks.map(\.outcome) == [AuditOutcome.succeeded.rawValue],
            "the unlink, and no refusal beside it from the repeat"
        )
        try await bot.stopBot()
    }

    /// A code posted in a group is refused there and voided: every member has seen it, and none may link their own
    /// Telegram account with it.
    @Test func aGroupRefusesTheCodeAndVoidsIt() async throws {
        let bot = try await BotHarness.start(exchanges: [])
        defer { Task { await bot.stop() } }
        let alice = try await platformUser(bot, "alice")
        let code = try await code(bot, for: alice)
        let group = FakeChat.group(id: -4_343, title: "Traders")
        bot.telegram.addChat(group)
        bot.telegram.setMember(bot.telegram.bot, in: group, status: .member)
        bot.telegram.setMember(dana, in: group, status: .member)
        bot.telegram.sendUserMessage(from: dana, chat: group, text: "/start \(code)")
        _ = try await bot.waitForBotMessage(in: group.id, containing: "private chat")
        #expect(bot.telegram.botMessages(in: group.id).allSatisfy { $0.button("Link") == nil })
        // Void in the private chat too: the one answer for codes that do not work.
        bot.say(dana, "/start \(code)")
        _ = try await bot.waitForBotMessage(in: dana.id, containing: "invalid, already used or expired")
        #expect(bot.telegram.botMessages(in: dana.id).allSatisfy { $0.button("Link") == nil })
        try await bot.stopBot()
    }

    @Test func linkedSignupRefusesAnUnlinkedAddAndCreatesNobody() async throws {
        let bot = try await BotHarness.start(exchanges: [], extraEnvironment: ["TELEGRAM_SIGNUP": "linked"])
        defer { Task { await bot.stop() } }
        bot.say(eve, "/add")
        _ = try await bot.waitForBotMessage(in: eve.id, containing: "open the link from your account page")
        bot.say(eve, "/exchanges")
        let refusals = await bot.telegram.waitUntil(timeout: .seconds(20)) {
            bot.telegram.botMessages(in: eve.id).filter { $0.text.contains("your account page") }.count == 2
        }
        #expect(refusals)
        #expect(try await bot.userID(ofTelegramUser: eve.id) == nil)
        #expect(bot.telegram.botMessages(in: eve.id).allSatisfy { $0.inlineKeyboard.isEmpty })

        // Linked, the same Telegram user may add keys, under the platform account.
        let alice = try await platformUser(bot, "alice")
        bot.say(eve, "/start \(try await code(bot, for: alice))")
        let confirm = try await bot.waitForBotMessage(in: eve.id) { $0.button("Link") != nil }
        _ = bot.telegram.pressButton(from: eve, on: confirm, caption: "Link")
        _ = try await bot.waitForBotMessage(in: eve.id, containing: "is linked to account")
        bot.say(eve, "/add")
        _ = try await bot.waitForBotMessage(in: eve.id) { $0.button("OKX") != nil }
        try await bot.stopBot()
    }

    /// A platform `users` table that refuses the row the bot would make (here a unique username the Telegram
    /// handle collides with): the update is answered with the link text and handled, not left in the inbox.
    @Test func aUsersTableThatRefusesTheBotsRowGetsTheLinkText() async throws {
        let bot = try await BotHarness.start(exchanges: [])
        defer { Task { await bot.stop() } }
        let platform = try await platformUser(bot, eve.username!)
        try await bot.database().writer.write { db in
            try db.execute(sql: "CREATE UNIQUE INDEX users_username_unique ON users(username)")
        }
        bot.say(eve, "/add")
        _ = try await bot.waitForBotMessage(in: eve.id, containing: "open the link from your account page")
        // The reply is committed with the update's removal from the inbox.
        #expect(try await bot.stores().bot.unhandledUpdates().updates.isEmpty)
        #expect(try await bot.userID(ofTelegramUser: eve.id) == nil)
        bot.say(eve, "/start \(try await code(bot, for: platform))")
        let confirm = try await bot.waitForBotMessage(in: eve.id) { $0.button("Link") != nil }
        _ = bot.telegram.pressButton(from: eve, on: confirm, caption: "Link")
        _ = try await bot.waitForBotMessage(in: eve.id, containing: "is linked to account")
        bot.say(eve, "/add")
        _ = try await bot.waitForBotMessage(in: eve.id) { $0.button("OKX") != nil }
        try await bot.stopBot()
    }

    /// Through `run`: a platform user gets a code over REST (its URL names the bot as `getMe` told it), opens it,
    /// confirms, adds a key: the key is the platform user's. REST then shows the link and undoes it.
    @Test(arguments: StoreEngine.allCases) func aCodeFromRESTLinksAndTheKeyIsThePlatformUsers(engine: StoreEngine)
        async throws
    {
        guard engine.isAvailable else { return }
        let port = try FreePort.loopback()
        let bot = try await BotHarness.start(
            engine: engine,
            exchanges: [.bybit],
            extraEnvironment: ["SECRET_KEY": "rest-secret", "API_PORT": String(port)]
        )
        defer { Task { await bot.stop() } }
        let alice = try await platformUser(bot, "alice")
        let token = BearerTokenAuthority(secretKey: "rest-secret", maxAge: 3600).mint(userID: alice)
        func call(_ method: String) async throws -> (status: Int, body: [String: Any]) {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/user/telegram-link")!)
            request.httpMethod = method
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            let (data, response) = try await URLSession.shared.data(for: request)
            let body = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, body)
        }
        let issued = try await call("POST")
        #expect(issued.status == 201)
        let code = try #require(issued.body["code"] as? String)
        let username = try #require(bot.telegram.bot.username)
        #expect(issued.body["url"] as? String == "https://t.me/\(username)?start=\(code)")

        bot.say(dana, "/start \(code)")
        let confirm = try await bot.waitForBotMessage(in: dana.id) { $0.button("Link") != nil }
        _ = bot.telegram.pressButton(from: dana, on: confirm, caption: "Link")
        _ = try await bot.waitForBotMessage(in: dana.id, containing: "is linked to account")
        let account = FakeAccount.random(for: .bybit)
        bot.exchanges[.bybit]!.register(account)
        _ = try await bot.addKey(
            dana,
            exchange: .bybit,
            label: "Linked",
            apiKey: account.apiKey,
            secret: account.secret,
            passphrase: nil
        )
        _ = try await bot.waitForBotMessage(in: dana.id, containing: "awaiting approval")
        #expect(try await bot.stores().exchange.keys(ofUser: alice).map(\.label) == ["Linked"])

        let shown = try await call("GET")
        #expect(shown.status == 200 && shown.body["linked"] as? Bool == true)
        #expect(
            shown.body["telegram_id"] as? Int64 == dana.id
                || (shown.body["telegram_id"] as? Int).map(Int64.init) == dana.id
        )
        #expect(shown.body["telegram_username"] as? String == dana.username)
        let removed = try await call("DELETE")
        #expect(removed.status == 200 && removed.body["linked"] as? Bool == false)
        try await bot.stopBot()
    }

    /// A check that outlives its user's link (unlinked over REST while the exchange answers): the verdict reaches the
    /// chat, and no account is made for the Telegram user to hang it on (`TELEGRAM_SIGNUP=linked`).
    @Test func aCheckThatOutlivesItsLinkMakesNoAccount() async throws {
        let bot = try await BotHarness.start(
            exchanges: [.bybit],
            latency: 2,
            extraEnvironment: ["TELEGRAM_SIGNUP": "linked"]
        )
        defer { Task { await bot.stop() } }
        let alice = try await platformUser(bot, "alice")
        try await linkInChat(bot, dana, to: alice)
        let account = FakeAccount.random(for: .bybit)
        bot.exchanges[.bybit]!.register(account)
        _ = try await bot.addKey(
            dana,
            exchange: .bybit,
            label: "Slow",
            apiKey: account.apiKey,
            secret: account.secret,
            passphrase: nil
        )
        _ = try await bot.waitForBotMessage(in: dana.id, containing: "Checking")
        let links = try #require(try bot.stores().exchange as? any AccountLinkStore)
        #expect(
            try await links.unlink(
                .user(alice),
                mailNotice: false,
                audit: AuditEntry(
                    at: Date(),
                    caller: .system,
                    action: .unlinkTelegram,
                    outcome: .succeeded
                )
            ) != .notLinked
        )
        _ = try await bot.waitForBotMessage(in: dana.id, containing: "awaiting approval")
        #expect(try await bot.stores().exchange.keys(ofUser: alice).map(\.label) == ["Slow"])
        let (_, botStore) = try bot.stores()
        let after = try await botStore.userAndConversation(
            telegramID: dana.id,
            username: nil,
            languageCode: nil,
            createUser: false,
            at: Date()
        )
        #expect(after.user == nil, "no account was made for the unlinked Telegram user")
        try await bot.stopBot()
    }

    @Test func unlinkIsInTheMenuOfEveryLanguage() async throws {
        let bot = try await BotHarness.start(exchanges: [])
        defer { Task { await bot.stop() } }
        let announced = await bot.telegram.waitUntil(timeout: .seconds(20)) {
            bot.telegram.commandSets().filter { $0.commands.contains { $0.command == "unlink" } }.count >= 2
        }
        #expect(announced)
        try await bot.stopBot()
    }
}
