import BearerTokens
import ExchangeBotCore
import ExchangeBotStorage
import Foundation
import GRDB
import PostgresNIO
import PostgresStorage
import TestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Issue 12's whole path through `run`, on a `users` table exactly as small as a platform may have it (made by
/// SQLAlchemy): a platform user with an email and no Telegram gets a link code over REST, opens it in Telegram,
/// confirms, adds a key that is theirs, and hears of the approval in Telegram and by email (at a real SMTP peer);
/// codes used twice, expired, forged or of another user are refused, and `TELEGRAM_SIGNUP=linked` keeps an
/// unlinked Telegram user out.
@Suite(.serialized) struct PlatformAccountEndToEndTests {
    let dana = FakeUser(id: 5_000_401, firstName: "Dana", username: "dana_tg")
    let eve = FakeUser(id: 5_000_402, firstName: "Eve", username: "eve_tg")

    @Test(arguments: StoreEngine.allCases) func aPlatformUserLinksAddsAKeyAndHearsOfTheApprovalTwice(
        engine: StoreEngine
    ) async throws {
        guard engine.isAvailable else { return }
        if let reason = SeedPlatform.usersModelSkipReason(postgres: engine == .postgres)
            ?? SMTPTestPeer.unavailableReason
        {
            print("skipped: \(reason)")
            return
        }
        let mail = try await SMTPTestPeer.start()
        defer { mail.stop() }
        let port = try FreePort.loopback()
        let secret = "rest-secret-\(UUID().uuidString)"
        let bot = try await BotHarness.start(
            engine: engine,
            exchanges: [.kucoin],
            extraEnvironment: [
                "SECRET_KEY": secret, "API_PORT": String(port), "TELEGRAM_SIGNUP": "linked",
                "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": String(mail.port),
                "MAIL_DEFAULT_SENDER": "Key desk <keys@platform.example>",
            ],
            prepare: { harness in
                let url =
                    harness.engine == .postgres
                    ? SeedPlatform.sqlalchemyURL(harness.databaseURL) : "sqlite:///" + harness.databasePath
                _ = try await SeedPlatform.createUsers(.minimal, sqlalchemyURL: url)
            }
        )
        defer { Task { await bot.stop() } }
        let alice = try await insertPlatformUser(bot, "alice", email: "alice@example.com")
        let bob = try await insertPlatformUser(bot, "bob", email: "bob@example.com")
        let api = RESTCaller(port: port, secret: secret)
        try await api.waitUntilServing()

        // Unlinked, Eve cannot add keys, and nobody is made for her.
        bot.say(eve, "/add")
        _ = try await bot.waitForBotMessage(in: eve.id, containing: "open the link from your account page")

        // Alice asks for a code on the platform's page and opens it in Telegram as Dana.
        let issued = try await api.call("POST", as: alice)
        #expect(issued.status == 201)
        let code = try #require(issued.body["code"] as? String)
        #expect(code.count <= 64 && code.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_".contains($0)) })
        #expect(
            issued.body["url"] as? String == "https://t.me/\(try #require(bot.telegram.bot.username))?start=\(code)"
        )
        #expect(issued.body["expires_at"] is String)

        bot.say(dana, "/start \(code)")
        let confirm = try await bot.waitForBotMessage(in: dana.id) { $0.button("Link") != nil }
        #expect(confirm.text.contains("alice") && confirm.text.contains("a…@example.com"))
        #expect(!confirm.text.contains("alice@example.com"), "the full email is never shown")
        _ = bot.telegram.pressButton(from: dana, on: confirm, caption: "Link")
        _ = try await bot.waitForBotMessage(in: dana.id, containing: "is linked to account")
        let linkedMail = try await waitForMail(at: mail, count: 1)
        #expect(linkedMail[0].recipients == ["alice@example.com"])
        #expect(linkedMail[0].subject.contains("Telegram linked"))

        // The code is spent; a forged one and an expired one say the same; Bob's code cannot take Dana from Alice.
        bot.say(eve, "/start \(code)")
        _ = try await bot.waitForBotMessage(in: eve.id, containing: "invalid, already used or expired")
        bot.say(eve, "/start \(LinkCode.generate().text)")
        #expect(await bot.telegram.waitUntil(timeout: .seconds(20)) { self.invalidCodeAnswers(bot) == 2 })
        let bobsCode = try #require(try await api.call("POST", as: bob).body["code"] as? String)
        bot.say(dana, "/start \(bobsCode)")
        let elsewhere = try await bot.waitForBotMessage(in: dana.id) {
            $0.button("Link") != nil && $0.text.contains("bob")
        }
        _ = bot.telegram.pressButton(from: dana, on: elsewhere, caption: "Link")
        _ = try await bot.waitForBotMessage(in: dana.id, containing: "already linked to another account")
        try await bot.stopBot()
        try await bot.startBot(overriding: ["LINK_CODE_TTL": "1"])
        try await api.waitUntilServing()
        let shortLived = try #require(try await api.call("POST", as: bob).body["code"] as? String)
        try await Task.sleep(for: .milliseconds(1_500))
        bot.say(eve, "/start \(shortLived)")
        #expect(await bot.telegram.waitUntil(timeout: .seconds(20)) { self.invalidCodeAnswers(bot) == 3 })

        // Dana adds a key: it is Alice's; the approval reaches Telegram and Alice's mailbox.
        let account = FakeAccount.random(for: .kucoin)
        bot.exchanges[.kucoin]!.register(account)
        _ = try await bot.addKey(
            dana,
            exchange: .kucoin,
            label: "Main <b> & Bcc: mallory@evil.example",
            apiKey: account.apiKey,
            secret: account.secret,
            passphrase: account.passphrase
        )
        _ = try await bot.waitForBotMessage(in: dana.id, containing: "awaiting approval")
        let keys = try await bot.stores().exchange.keys(ofUser: alice)
        #expect(keys.count == 1 && keys.first?.userID == alice)
        let request = try await bot.waitForBotMessage(in: bot.adminGroup.id) { $0.button("Approve") != nil }
        _ = bot.telegram.pressButton(from: bot.listedAdmin, on: request, caption: "Approve")
        _ = try await bot.waitForBotMessage(in: dana.id, containing: "approved")
        let mails = try await waitForMail(at: mail, count: 2)
        let approval = mails[1]
        #expect(approval.recipients == ["alice@example.com"])
        #expect(approval.subject.contains("approved"))
        #expect(approval.text?.contains("KuCoin") == true)
        #expect(approval.contentType.hasPrefix("multipart/alternative"))
        #expect(approval.defects.isEmpty, "\(approval.defects)")
        #expect(!approval.headerNames.map { $0.lowercased() }.contains("bcc"), "a label cannot add a header")
        #expect(approval.html?.contains("Main &lt;b&gt; &amp; Bcc") == true, "the label is escaped in the HTML part")
        for message in mails {
            #expect(!message.raw.contains(account.secret) && !message.raw.contains(account.passphrase ?? "§"))
        }
        // Nobody was made for Eve or Dana: the users table holds the platform's three rows.
        #expect(try await userCount(bot) == 3)
        try await bot.stopBot()
    }

    // MARK: - Helpers

    func invalidCodeAnswers(_ bot: BotHarness) -> Int {
        bot.telegram.botMessages(in: eve.id).filter { $0.text.contains("invalid, already used or expired") }.count
    }

    func insertPlatformUser(_ bot: BotHarness, _ name: String, email: String) async throws -> Int64 {
        switch bot.engine {
        case .sqlite:
            return try await bot.database().writer.write { db in
                try db.execute(
                    sql: "INSERT INTO users (username, email, is_active, is_admin) VALUES (?, ?, 1, 0)",
                    arguments: [name, email]
                )
                return db.lastInsertedRowID
            }
        case .postgres:
            let rows = try await bot.postgres().query(
                "INSERT INTO users (username, email, is_active, is_admin) VALUES (\(name), \(email), TRUE, FALSE) RETURNING id"
            )
            for try await id in rows.decode(Int64.self) { return id }
            throw HarnessFailure("no user id came back")
        }
    }

    func userCount(_ bot: BotHarness) async throws -> Int {
        switch bot.engine {
        case .sqlite:
            return try await bot.database().writer.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM users") ?? 0
            }
        case .postgres:
            for try await count in try await bot.postgres().query("SELECT count(*) FROM users").decode(Int.self) {
                return count
            }
            return 0
        }
    }

    /// The peer's messages once it has `count` of them.
    func waitForMail(at peer: SMTPTestPeer, count: Int) async throws -> [SMTPTestPeer.Received] {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let received = try peer.received()
            if received.count >= count { return received }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw HarnessFailure("the SMTP peer received \(try peer.received().count) of \(count) mails")
    }
}

/// The REST API as a platform page calls it, with a user's bearer token.
struct RESTCaller {
    let port: Int
    let secret: String

    func call(_ method: String, as userID: Int64, path: String = "/user/telegram-link") async throws
        -> (status: Int, body: [String: Any])
    {
        let token = BearerTokenAuthority(secretKey: secret, maxAge: 3600).mint(userID: userID)
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (data, response) = try await URLSession.shared.data(for: request)
        let body = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, body)
    }

    /// Returns once `/healthz` answers: the listener starts beside the bot, not before it.
    func waitUntilServing() async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        let url = URL(string: "http://127.0.0.1:\(port)/healthz")!
        while ContinuousClock.now < deadline {
            if let (_, response) = try? await URLSession.shared.data(from: url),
                (response as? HTTPURLResponse)?.statusCode == 200
            {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessFailure("the REST API on port \(port) did not start")
    }
}
