import BearerTokens
import ExchangeBotCore
import ExchangeBotStorage
import Fernet
import Foundation
import GRDB
import TestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real `exchange-bot run` wiring: REST API, approval service, exchange validation against a fake exchange,
/// Fernet at rest, on SQLite and on PostgreSQL.
@Suite(.enabled(if: ExchangeBotBinary.path != nil, "the exchange-bot binary is not built next to the tests"))
struct EndToEndTests {
    @Test(arguments: StoreEngine.allCases)
    func aKeyAddedOverRESTIsValidatedByTheExchangeAndStoredEncrypted(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        let folder = TemporaryFolder()
        let key = FernetKey.generate()
        let place = try await EngineDatabase.make(engine, folder: folder, key: key)
        defer { Task { await place.close() } }
        // A user, created the way the seed's sign-up does.
        let store = place.store
        let user = try await place.createUser("alice")
        let exchange = try await FakeExchangeServer.start(.okx)
        let account = FakeAccount.random(for: .okx, ipRestricted: false)
        exchange.register(account)
        let token = BearerTokenAuthority(secretKey: "e2e-secret", maxAge: 3600).mint(userID: user.id)
        var statuses = [Int]()
        var bodies = [String]()
        // A random port may be taken: try a few before giving up.
        var outcome: (result: ExchangeBotBinary.Result, ran: Bool)?
        for _ in 0..<5 where outcome?.ran != true {
            let port = try FreePort.loopback()
            let environment = [
                "BRAIN_CAPITAL_MASTER_KEY": key.base64, "SECRET_KEY": "e2e-secret", "API_PORT": String(port),
                "DATABASE_URL": place.url, "EXCHANGE_OKX_URL": exchange.origin.absoluteString,
            ]
            outcome = try await ExchangeBotBinary.whileRunning(
                ["run"],
                environment: environment,
                in: folder,
                readyWhen: "listening"
            ) {
                for secret in [account.secret, "wrong-\(account.secret)"] {
                    var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/user/exchanges/")!)
                    request.httpMethod = "POST"
                    request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
                    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                    let body: [String: String] = [
                        "exchange_name": "okx", "label": "E2E", "api_key": account.apiKey, "api_secret": secret,
                        "passphrase": account.passphrase ?? "",
                    ]
                    request.httpBody = try JSONSerialization.data(withJSONObject: body)
                    let (data, response) = try await URLSession.shared.data(for: request)
                    statuses.append((response as? HTTPURLResponse)?.statusCode ?? 0)
                    bodies.append(String(decoding: data, as: UTF8.self))
                }
            }
        }
        try await exchange.stop()
        let result = try #require(outcome).result
        #expect(outcome?.ran == true, "\(result.errors)")
        #expect(result.status == 0, "\(result.errors)")
        // The right key: stored. The same key with a wrong secret: a duplicate of the stored one, refused first.
        #expect(statuses == [201, 409], "\(bodies)")
        #expect(!bodies.joined().contains(account.secret))
        #expect(exchange.requests().contains { $0.path == "/api/v5/account/config" })
        let stored = try await store.keys(ofUser: user.id)
        #expect(stored.count == 1 && stored.first?.status == .pending)
        let credentials = try #require(try await store.credentials(ofKey: stored[0].id))
        #expect(credentials.apiSecret.exposedValue == account.secret)
        let everything = try await place.storedText()
        #expect(!everything.isEmpty && !everything.contains(account.secret), "no secret in the database in clear")
        #expect(!result.errors.contains(account.secret) && !result.errors.contains("e2e-secret"))
        #expect(!result.errors.contains(PostgresTestServer.password), "the database password is never logged")
    }
}
