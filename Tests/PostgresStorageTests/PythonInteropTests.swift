import ExchangeBotCore
import Fernet
import Foundation
import PostgresStorage
import TestSupport
import Testing

/// The platform's side of a shared PostgreSQL database, played by Python: the seed's two SQLAlchemy 2 models,
/// `create_all`, rows written through psycopg 3; then this service migrates it (after the `ALTER`s it names), reads
/// Python's rows and writes its own, which Python reads back and decrypts with the master key. Dates (naive UTC in
/// `timestamp without time zone`) read the same on both sides.
@Suite struct PythonInteropTests {
    struct Created: Decodable {
        let user: Int64
        let key: Int64
        let at: Int64
    }

    struct Read: Decodable {
        let created: Int64
        let updated: Int64
        let naive: Bool
        let status: String
        let label: String
        let api_key: String
        let owner: String
    }

    @Test func sharesADatabaseWithTheSeedsSQLAlchemyModels() async throws {
        guard StoreEngine.postgres.isAvailable else { return }
        if let reason = SeedPlatform.skipReason {
            print("skipped: Python interop on PostgreSQL not checked: \(reason)")
            return
        }
        let master = FernetKey.generate()
        let ring = try MultiFernet(keys: [master])
        try await MigrationTestDatabase.with("pyinterop") { live in
            let sqlalchemyURL = "postgresql+psycopg" + live.url.drop { $0 != ":" }
            var environment = [
                "INTEROP_DATABASE_URL": String(sqlalchemyURL), "INTEROP_MASTER_KEY": master.base64,
                "INTEROP_SECRET": "py-secret-\(UUID().uuidString)",
                "INTEROP_PASSPHRASE": "py-pass-\(UUID().uuidString)",
            ]
            // Given: the platform made the schema and wrote a user with a key.
            let createdJSON = try await Python.run(SeedPlatform.script, arguments: ["create"], environment: environment)
            let created = try JSONDecoder().decode(Created.self, from: Data(createdJSON.utf8))

            // The seed's String(500) columns cannot hold a long encrypted secret: migrate stops and names the fix.
            do {
                try await PostgresSchema.migrate(live.database)
                Issue.record("migrate accepted the seed's VARCHAR(500) credential columns")
            } catch let error as PostgresSchemaError {
                #expect(error.fixes == SeedPlatform.fixes)
            }
            for fix in SeedPlatform.fixes { try await live.psql(fix) }
            try await PostgresSchema.migrate(live.database)

            // This service reads Python's rows: the user, the key, its secret, and its dates to the second.
            let store = PostgresExchangeStore(database: live.database, ring: ring)
            let user = try #require(try await store.user(id: created.user))
            #expect(user.username == "platform-user" && user.telegramID == 5_100_000_001 && user.isActive)
            let key = try #require(try await store.key(id: created.key))
            #expect(
                key.status == .approved && key.isActive && key.label == "From Python" && key.apiKey == "py-api-key-1"
            )
            #expect(key.createdAt.map { Int64($0.timeIntervalSince1970.rounded(.down)) } == created.at)
            #expect(key.updatedAt.map { Int64($0.timeIntervalSince1970.rounded(.down)) } == created.at)
            let credentials = try #require(try await store.credentials(ofKey: created.key))
            #expect(credentials.apiSecret.exposedValue == environment["INTEROP_SECRET"])
            #expect(credentials.passphrase?.exposedValue == environment["INTEROP_PASSPHRASE"])

            // This service writes keys (one with a Coinbase private key, longer than 500 characters encrypted);
            // Python reads them back, opens them with the master key, and reads the same dates.
            let at = Date(timeIntervalSince1970: 1_780_000_123)
            let pem =
                "-----BEGIN EC PRIVATE KEY-----\n"
                + (0..<30).map { _ in String(repeating: "Q", count: 64) }.joined(separator: "\n")
                + "\n-----END EC PRIVATE KEY-----"
            for (exchange, secret, passphrase) in [
                (ExchangeID.okx, "swift-secret-\(UUID().uuidString)", "swift-pass-1" as String?),
                (.coinbase, pem, nil),
            ] {
                let outcome = try await store.insertKey(
                    StoredKeySubmission(
                        userID: user.id,
                        label: "From Swift \(exchange.rawValue)",
                        credentials: Credentials(
                            exchange: exchange,
                            apiKey: "swift-api-key-\(exchange.rawValue)",
                            apiSecret: SecretString(secret),
                            passphrase: passphrase.map(SecretString.init)
                        ),
                        report: ValidationReport(canTrade: true, canWithdraw: false),
                        at: at
                    ),
                    audit: AuditEntry(at: at, caller: .system, action: .addKey, outcome: .succeeded)
                )
                guard case .inserted(let written, _) = outcome else {
                    Issue.record("insert refused: \(outcome)")
                    return
                }
                environment["INTEROP_SECRET"] = secret
                environment["INTEROP_PASSPHRASE"] = passphrase
                let read = try JSONDecoder().decode(
                    Read.self,
                    from: Data(
                        try await Python.run(
                            SeedPlatform.script,
                            arguments: ["read", "\(written.id)"],
                            environment: environment
                        ).utf8
                    )
                )
                #expect(read.created == 1_780_000_123 && read.updated == 1_780_000_123 && read.naive)
                #expect(read.status == "PENDING" && read.label == "From Swift \(exchange.rawValue)")
                #expect(read.api_key == "swift-api-key-\(exchange.rawValue)" && read.owner == "platform-user")
            }
        }
    }
}
