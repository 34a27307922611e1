import BearerTokens
import ExchangeBotCore
import ExchangeBotStorage
import Foundation
import GRDB
import PostgresNIO
import PostgresStorage
import TelegramBot
import TestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Audit rows never hold a secret: a whole flow over REST and in the bot (keys added both ways, a refused secret,
/// new credentials, an approval, a rejection, a deletion, a link code used to link) leaves rows on every channel,
/// and no column of any row, nor the audit view over REST or in the admin group, holds an API secret, a passphrase,
/// a full API key or the link code.
@Suite(.serialized) struct AuditSecrecyTests {
    let bob = FakeUser(id: 5_000_501, firstName: "Bob", username: "bob")
    let dana = FakeUser(id: 5_000_502, firstName: "Dana", username: "dana")

    /// A JSON call to the service's REST API.
    struct REST {
        let port: Int
        let token: String

        @discardableResult
        func call(_ method: String, _ path: String, _ body: String? = nil) async throws -> (status: Int, body: String) {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
            request.httpMethod = method
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            if let body {
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                request.httpBody = Data(body.utf8)
            }
            let (data, response) = try await URLSession.shared.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
        }

        func id(_ body: String) throws -> Int64 {
            let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
            return Int64(try #require(object?["id"] as? Int))
        }
    }

    static func credentialsBody(_ account: FakeAccount, label: String? = nil) -> String {
        var fields = [
            #""api_key":"\#(account.apiKey)""#, #""api_secret":"\#(account.secret)""#,
            #""passphrase":"\#(account.passphrase ?? "")""#,
        ]
        if let label { fields = [#""exchange_name":"okx""#, #""label":"\#(label)""#] + fields }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// Every column of every audit row, as text.
    static func auditRows(_ bot: BotHarness) async throws -> [String] {
        switch bot.engine {
        case .sqlite:
            return try await bot.database().writer.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM audit_log").map { row in
                    row.databaseValues.map(\.description).joined(separator: "|")
                }
            }
        case .postgres:
            let rows = try await bot.postgres().query(
                "SELECT CAST(row_to_json(a) AS TEXT) FROM exchange_bot_audit_log a"
            )
            var texts: [String] = []
            for try await text in rows.decode(String.self) { texts.append(text) }
            return texts
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func noAuditRowHoldsASecret(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        let port = try FreePort.loopback()
        let bot = try await BotHarness.start(
            engine: engine,
            exchanges: [.okx],
            extraEnvironment: ["SECRET_KEY": "rest-secret", "API_PORT": String(port)]
        )
        defer { Task { await bot.stop() } }
        let accounts = (0..<3).map { _ in FakeAccount.random(for: .okx) }
        for account in accounts { bot.exchanges[.okx]!.register(account) }
        let wrongSecret = "wrong-secret-Qx7Rt2Lm9Pz4Kd8"

        // In the bot: bob adds a key; an admin rejects it with a reason.
        _ = try await bot.addKey(
            bob,
            exchange: .okx,
            label: "Bot key",
            apiKey: accounts[2].apiKey,
            secret: accounts[2].secret,
            passphrase: accounts[2].passphrase
        )
        _ = try await bot.waitForBotMessage(in: bob.id, containing: "awaiting approval")
        let botKey = try #require(try await bot.keys(ofTelegramUser: bob.id).first?.id)
        bot.telegram.sendUserMessage(from: bot.listedAdmin, chat: bot.adminGroup, text: "/reject \(botKey) no IP")
        _ = try await bot.waitForBotMessage(in: bob.id, containing: "no IP")

        // Over REST: alice adds a key, fails a check with a wrong secret, sends new credentials; root approves;
        // alice deletes the key and takes a link code, which dana uses in the bot.
        let alice = try await bot.createUser(username: "alice", isAdmin: false)
        let root = try await bot.createUser(username: "root", isAdmin: true)
        let authority = BearerTokenAuthority(secretKey: "rest-secret", maxAge: 3600)
        let asAlice = REST(port: port, token: authority.mint(userID: alice))
        let asRoot = REST(port: port, token: authority.mint(userID: root))
        let created = try await asAlice.call("POST", "/user/exchanges/", Self.credentialsBody(accounts[0], label: "R"))
        #expect(created.status == 201, "\(created.body)")
        let restKey = try asAlice.id(created.body)
        var wrong = accounts[0]
        wrong.secret = wrongSecret
        let refused = try await asAlice.call("PUT", "/user/exchanges/\(restKey)", Self.credentialsBody(wrong))
        #expect(refused.status == 422, "\(refused.body)")
        let updated = try await asAlice.call("PUT", "/user/exchanges/\(restKey)", Self.credentialsBody(accounts[1]))
        #expect(updated.status == 200, "\(updated.body)")
        #expect(try await asRoot.call("POST", "/admin/exchanges/\(restKey)/approve").status == 200)
        #expect(try await asAlice.call("DELETE", "/user/exchanges/\(restKey)").status == 200)
        let issued = try await asAlice.call("POST", "/user/telegram-link")
        #expect(issued.status == 201)
        let code = try #require(
            (try JSONSerialization.jsonObject(with: Data(issued.body.utf8)) as? [String: Any])?["code"] as? String
        )
        bot.say(dana, "/start \(code)")
        let confirm = try await bot.waitForBotMessage(in: dana.id) { $0.button("Link") != nil }
        _ = bot.telegram.pressButton(from: dana, on: confirm, caption: "Link")
        _ = try await bot.waitForBotMessage(in: dana.id, containing: "is linked to account")

        let secrets =
            accounts.flatMap { [$0.apiKey, $0.secret, $0.passphrase ?? ""] } + [wrongSecret, code, "rest-secret"]
        let rows = try await Self.auditRows(bot)
        let everything = rows.joined(separator: "\n")
        for action in [
            "key.add", "key.update", "key.approve", "key.reject", "key.delete", "telegram.link_code", "telegram.link",
        ] {
            #expect(everything.contains(action), "no \(action) row")
        }
        #expect(everything.contains("refused") || everything.contains("failed"), "the wrong secret left a row")
        for secret in secrets where !secret.isEmpty {
            #expect(!everything.contains(secret), "an audit row holds \(secret.prefix(4))…")
        }

        // The audit view shows both channels and none of the secrets either.
        let view = try await asRoot.call("GET", "/admin/audit?limit=200")
        #expect(view.status == 200)
        #expect(view.body.contains(#""channel":"rest""#) && view.body.contains(#""channel":"telegram""#))
        #expect(try await asAlice.call("GET", "/admin/audit").status == 403)
        bot.telegram.sendUserMessage(from: bot.listedAdmin, chat: bot.adminGroup, text: "/audit \(restKey)")
        let shown = try await bot.waitForBotMessage(in: bot.adminGroup.id, containing: "Key #\(restKey): the last")
        #expect(shown.text.contains("REST API · root: approved the key"))
        for secret in secrets where !secret.isEmpty {
            #expect(!view.body.contains(secret) && !shown.text.contains(secret))
        }
        try await bot.stopBot()
    }
}
