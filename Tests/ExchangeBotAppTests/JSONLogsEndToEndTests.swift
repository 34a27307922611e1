import BearerTokens
import ExchangeBotCore
import Fernet
import Foundation
import GRDB
import TestSupport
import Testing

/// `exchange-bot run` with `LOG_FORMAT=json` at trace level through a whole `/add` flow, an admin's approval and
/// a key sent over REST: every line of standard error is one JSON object, and none holds a secret.
@Suite(.enabled(if: ExchangeBotBinary.path != nil, "the exchange-bot binary is not built next to the tests"))
struct JSONLogsEndToEndTests {
    static let token = "7000003:JSONLOGS-test_token"
    static let restSecret = "json-logs-rest-secret"
    let folder = TemporaryFolder()
    let key = FernetKey.generate()
    let alice = FakeUser(id: 5_200_001, firstName: "Alice", username: "alice")
    let admin = FakeUser(id: 5_200_900, firstName: "Ada", username: "ada")
    let adminGroup = FakeChat.supergroup(id: -1_001_900_000_001, title: "Approvals")

    @Test func everyLineIsJSONAndNoneHoldsASecret() async throws {
        let telegram = try await FakeTelegramServer.start(token: Self.token)
        let exchange = try await FakeExchangeServer.start(.okx)
        telegram.addChat(adminGroup)
        let account = FakeAccount.random(for: .okx)
        let restAccount = FakeAccount.random(for: .okx)
        exchange.register(account)
        exchange.register(restAccount)
        let environment = [
            "BRAIN_CAPITAL_MASTER_KEY": key.base64, "DATABASE_URL": "sqlite:///bot.sqlite",
            "TELEGRAM_BOT_TOKEN": Self.token, "TELEGRAM_API_URL": telegram.baseURL.absoluteString,
            "ADMIN_CHAT_ID": String(adminGroup.id), "ADMIN_USER_IDS": String(admin.id), "HEALTH_CHECK_INTERVAL": "0",
            "EXCHANGE_OKX_URL": exchange.origin.absoluteString, "SECRET_KEY": Self.restSecret, "API_PORT": "0",
            "LOG_FORMAT": "json", "LOG_LEVEL": "trace",
        ]
        let process = try ExchangeBotBinary.launch(["run"], environment: environment, in: folder)
        #expect(await process.waitFor("exchange-bot ready"), "\(process.errors)")
        #expect(await telegram.waitUntil(timeout: .seconds(30)) { telegram.isPolling })

        // The whole `/add` flow in a private chat, then the admin's approval.
        let chat = FakeChat.privateChat(with: alice)
        telegram.sendUserMessage(from: alice, chat: chat, text: "/add")
        #expect(await telegram.waitUntil { telegram.botMessages(in: alice.id).last?.button("OKX") != nil })
        _ = telegram.pressButton(from: alice, on: try #require(telegram.botMessages(in: alice.id).last), caption: "OKX")
        for (prompt, answer) in [
            ("send a name", "JSON logs"), ("API key", account.apiKey), ("API secret", account.secret),
            ("passphrase", account.passphrase!),
        ] {
            #expect(await waitForText(telegram, alice.id, prompt), "\(prompt)")
            telegram.sendUserMessage(from: alice, chat: chat, text: answer)
        }
        #expect(await waitForText(telegram, alice.id, "awaiting approval"))
        #expect(
            await telegram.waitUntil {
                telegram.botMessages(in: adminGroup.id).contains { $0.button("Approve") != nil }
            }
        )
        let request = try #require(telegram.botMessages(in: adminGroup.id).first { $0.button("Approve") != nil })
        _ = telegram.pressButton(from: admin, on: request, caption: "Approve")
        #expect(await waitForText(telegram, alice.id, "approved"))

        // A key over REST too: its secret travels in a request body (and a token in the query string).
        let port = try #require(Self.listeningPort(in: process.errors), "\(process.errors)")
        let userID = try #require(try userID(telegramID: alice.id))
        let bearer = BearerTokenAuthority(secretKey: Self.restSecret, maxAge: 3600).mint(userID: userID)
        let body = try JSONSerialization.data(withJSONObject: [
            "exchange_name": "okx", "label": "REST", "api_key": restAccount.apiKey,
            "api_secret": restAccount.secret, "passphrase": restAccount.passphrase!,
        ])
        let added = try await LoopbackHTTPClient.send(
            to: URL(string: "http://127.0.0.1:\(port)")!,
            "POST",
            "/user/exchanges/?token=\(bearer)",
            headers: [("Authorization", "Bearer \(bearer)"), ("Content-Type", "application/json")],
            body: String(decoding: body, as: UTF8.self)
        )
        #expect(added.status == 201, "\(String(decoding: added.body, as: UTF8.self))")

        await process.kill(SIGTERM)
        #expect(process.exitStatus == 0, "\(process.errors)")
        await telegram.stop()
        try await exchange.stop()

        let lines = process.errors.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        #expect(lines.count > 20, "trace level logs the flow: \(lines.count) lines")
        var levels = Set<String>()
        for line in lines {
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object != nil, "not one JSON object: \(line)")
            guard let object else { continue }
            #expect(object["timestamp"] is String && object["logger"] is String && object["message"] is String)
            if let level = object["level"] as? String { levels.insert(level) }
        }
        #expect(levels.contains("info"), "\(levels)")
        let secrets = [
            account.secret, account.passphrase!, restAccount.secret, restAccount.passphrase!, Self.token,
            String(Self.token.split(separator: ":")[1]), key.base64, Self.restSecret, bearer,
        ]
        for secret in secrets {
            #expect(!process.errors.contains(secret), "a log line holds a secret")
        }
        if Python.executable != nil {
            // An independent JSON reader: Python's, line by line.
            let file = folder.path("stderr.jsonl")
            try Data(process.errors.utf8).write(to: URL(fileURLWithPath: file))
            let count = try await Python.run(
                """
                import json, sys
                n = 0
                for line in open(sys.argv[1], encoding="utf-8"):
                    if line.strip():
                        assert isinstance(json.loads(line), dict), line
                        n += 1
                print(n)
                """,
                arguments: [file]
            )
            #expect(Int(count) == lines.count)
        } else {
            print("python3 is not on PATH: the log lines were parsed by Foundation only")
        }
    }

    func waitForText(_ telegram: FakeTelegramServer, _ chat: Int64, _ text: String) async -> Bool {
        await telegram.waitUntil(timeout: .seconds(40)) {
            telegram.botMessages(in: chat).contains { $0.text.contains(text) }
        }
    }

    /// The port Hummingbird's "listening" line names (`API_PORT=0` lets the system pick it).
    static func listeningPort(in logs: String) -> Int? {
        guard let match = logs.firstMatch(of: /listening on [0-9.]+:(\d+)/) else { return nil }
        return Int(match.1)
    }

    func userID(telegramID: Int64) throws -> Int64? {
        let database = try DatabaseQueue(path: folder.path("bot.sqlite"))
        return try database.read { db in
            try Int64.fetchOne(
                db,
                sql: "SELECT user_id FROM bot_telegram_accounts WHERE telegram_id = ?",
                arguments: [telegramID]
            )
        }
    }
}
