import BotConversation
import ExchangeBotCore
import Fernet
import Foundation
import PostgresNIO
import PostgresStorage
import TestSupport
import Testing

/// `rotate-key` and the start-up key check on PostgreSQL: every sealed column re-sealed under the first key in one
/// transaction, the old key no longer needed afterwards, and one unreadable token anywhere aborts it changing nothing.
@Suite struct RotationTests {
    let old = FernetKey.generate()
    let new = FernetKey.generate()

    /// The sealed rows of a fixture, as written.
    struct Sealed {
        var keys = 0
        var passphrases = 0
        var tokenAPIKeys = 0
        var undeliveredEvents = 0
        var botRows = 0
    }

    /// A migrated database with `count` keys sealed under `key` (every third with a passphrase, every fifth with its
    /// API key stored as a token, as newer Python rows do), outbox events (some delivered), received updates and
    /// conversations.
    func populate(_ live: MigrationTestDatabase, under key: FernetKey, count: Int) async throws -> Sealed {
        try await PostgresSchema.migrate(live.database)
        let ring = try MultiFernet(keys: [key])
        try await live.psql("INSERT INTO users (id, username, email) VALUES (1, 'alice', 'alice@example.com')")
        var sealed = Sealed()
        var ids = [Int64](), apiKeys = [String](), secrets = [String](), passphrases = [String]()
        for index in 0..<count {
            ids.append(Int64(index + 1))
            let apiKey = "api-key-\(index)"
            apiKeys.append(index % 5 == 0 ? ring.encrypt(apiKey) : apiKey)
            secrets.append(ring.encrypt("secret-\(index)"))
            passphrases.append(index % 3 == 0 ? ring.encrypt("passphrase-\(index)") : "")
            sealed.keys += 1
            sealed.passphrases += index % 3 == 0 ? 1 : 0
            sealed.tokenAPIKeys += index % 5 == 0 ? 1 : 0
        }
        try await live.database.query(
            """
            INSERT INTO user_exchanges (id, user_id, exchange_name, label, api_key, api_secret, passphrase, status,
                created_at, updated_at)
            SELECT k.id, 1, 'okx', 'key ' || k.id, k.api_key, k.secret, nullif(k.passphrase, ''), 'PENDING',
                TIMESTAMP '2026-01-02 03:04:05', TIMESTAMP '2026-01-02 03:04:05'
            FROM unnest(\(ids), \(apiKeys), \(secrets), \(passphrases)) AS k(id, api_key, secret, passphrase)
            """
        ).collect()
        try await live.psql("SELECT setval('user_exchanges_id_seq', \(count + 1))")
        for index in 0..<6 {
            let delivered = index < 2 ? "TIMESTAMP '2026-01-01 00:00:00'" : "NULL"
            try await live.psql(
                """
                INSERT INTO exchange_bot_outbox (event, created_at, delivered_at)
                VALUES ('\(ring.encrypt("{\"event\":\(index)}"))', TIMESTAMP '2026-01-01 00:00:00', \(delivered))
                """
            )
            sealed.undeliveredEvents += index < 2 ? 0 : 1
        }
        for index in 0..<3 {
            try await live.psql(
                """
                INSERT INTO exchange_bot_updates (update_id, payload, received_at)
                VALUES (\(1_000 + index), '\(ring.encrypt("update \(index)"))', TIMESTAMP '2026-01-01 00:00:00');
                INSERT INTO exchange_bot_conversations (telegram_id, state, updated_at)
                VALUES (\(5_000_000_000 + Int64(index)), '\(ring.encrypt("draft \(index)"))',
                    TIMESTAMP '2026-01-01 00:00:00')
                """
            )
            sealed.botRows += 2
        }
        return sealed
    }

    /// Every sealed value, opened with `ring` (`nil` where it does not open), in a fixed order.
    func opened(_ live: MigrationTestDatabase, ring: MultiFernet) async throws -> [String?] {
        try await tokens(live).map { token in token.hasPrefix("gAAAAA") ? try? ring.decryptString(token) : token }
    }

    /// Every sealed column's text, in a fixed order (clear API keys included, delivered events too).
    func tokens(_ live: MigrationTestDatabase) async throws -> [String] {
        try await live.psql(
            """
            SELECT v FROM (
                SELECT 1 AS t, id AS k, 1 AS c, api_key AS v FROM user_exchanges
                UNION ALL SELECT 1, id, 2, api_secret FROM user_exchanges
                UNION ALL SELECT 1, id, 3, passphrase FROM user_exchanges WHERE passphrase IS NOT NULL
                UNION ALL SELECT 2, id, 1, event FROM exchange_bot_outbox
                UNION ALL SELECT 3, update_id, 1, payload FROM exchange_bot_updates
                UNION ALL SELECT 4, telegram_id, 1, state FROM exchange_bot_conversations
            ) s ORDER BY t, k, c
            """
        ).split(separator: "\n").map(String.init)
    }

    /// The timestamp a Fernet token carries (bytes 1–8).
    func timestamp(_ token: String) -> Data? {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map { Data($0[1..<9]) }
    }

    @Test func reSealsEveryColumnUnderTheFirstKey() async throws {
        guard StoreEngine.postgres.isAvailable else { return }
        try await MigrationTestDatabase.with("rotate") { live in
            let sealed = try await populate(live, under: old, count: 47)
            let before = try await opened(live, ring: MultiFernet(keys: [old]))
            let oldTokens = try await tokens(live)
            let ring = try MultiFernet(keys: [new, old])

            let report = try await PostgresKeyRotation.rotate(live.database, ring: ring, pageSize: 10)
            #expect(report.rows == sealed.keys && report.secrets == sealed.keys)
            #expect(report.passphrases == sealed.passphrases && report.apiKeys == sealed.tokenAPIKeys)
            #expect(report.outboxEvents == sealed.undeliveredEvents && report.botTokens == sealed.botRows)
            #expect(report.alreadyUnderPrimary == 0 && report.primaryFingerprint == new.fingerprint)

            // The values are unchanged; every sealed one (but the delivered events) now opens with the new key alone.
            let newOnly = try MultiFernet(keys: [new])
            let after = try await opened(live, ring: newOnly)
            let delivered = try await Set(
                live.psql("SELECT event FROM exchange_bot_outbox WHERE delivered_at IS NOT NULL").split(separator: "\n")
                    .map(String.init)
            )
            let newTokens = try await tokens(live)
            for (index, (token, previous)) in zip(newTokens, oldTokens).enumerated() {
                if delivered.contains(previous) {
                    #expect(token == previous, "a delivered event keeps its key until it is pruned")
                } else if previous.hasPrefix("gAAAAA") {
                    #expect(after[index] == before[index] && after[index] != nil)
                    #expect(timestamp(token) == timestamp(previous), "the original Fernet timestamp is kept")
                } else {
                    #expect(token == previous, "a clear API key stays as it is")
                }
            }

            // The old key is no longer needed, and the start-up check says so.
            let check = try await PostgresMasterKeyCheck.run(live.database, ring: newOnly)
            let expected =
                sealed.keys + sealed.passphrases + sealed.tokenAPIKeys + sealed.undeliveredEvents
                + sealed.botRows
            #expect(check.tokens == expected && check.openedByPrimary == expected && check.unreadable == 0)
            let oldOnly = try await PostgresMasterKeyCheck.run(live.database, ring: MultiFernet(keys: [old]))
            #expect(oldOnly.wrongKey && oldOnly.tokens == expected, "the old key alone is refused")

            let audited = try await live.psql(
                "SELECT count(*) FROM exchange_bot_audit_log WHERE action = 'master_key.rotate' AND outcome = 'ok'"
            )
            #expect(audited == "1")
            // Nothing secret in the audit detail.
            let detail = try await live.psql("SELECT detail FROM exchange_bot_audit_log")
            #expect(!detail.contains("secret-") && detail.contains("primary=\(new.fingerprint)"))
        }
    }

    /// What the stores wrote under the old key (a key, its outbox event, received updates) reads the same through
    /// the stores with the new key alone once rotated.
    @Test func theStoresReadTheirRowsWithTheNewKeyAlone() async throws {
        guard StoreEngine.postgres.isAvailable else { return }
        try await MigrationTestDatabase.with("rotatestores") { live in
            try await PostgresSchema.migrate(live.database)
            try await live.psql("INSERT INTO users (id, username, email) VALUES (1, 'alice', 'alice@example.com')")
            let before = try MultiFernet(keys: [old])
            let exchanges = PostgresExchangeStore(database: live.database, ring: before)
            let at = Date(timeIntervalSince1970: 1_780_000_000)
            let outcome = try await exchanges.insertKey(
                StoredKeySubmission(
                    userID: 1,
                    label: "Main",
                    credentials: Credentials(
                        exchange: .kucoin,
                        apiKey: "kucoin-key-1",
                        apiSecret: SecretString("kucoin-secret-1"),
                        passphrase: SecretString("kucoin-pass-1")
                    ),
                    report: ValidationReport(canTrade: true, canWithdraw: false),
                    at: at
                ),
                audit: AuditEntry(at: at, caller: .system, action: .addKey, outcome: .succeeded)
            )
            guard case .inserted(let key, _) = outcome else {
                Issue.record("insert refused: \(outcome)")
                return
            }
            let updates = (1...3).map { ReceivedUpdate(id: Int64($0), payload: Data("{\"update_id\":\($0)}".utf8)) }
            try await PostgresBotStore(database: live.database, ring: before).receive(updates, nextOffset: 4)

            _ = try await PostgresKeyRotation.rotate(live.database, ring: MultiFernet(keys: [new, old]))

            let after = try MultiFernet(keys: [new])
            let credentials = try #require(
                try await PostgresExchangeStore(database: live.database, ring: after)
                    .credentials(ofKey: key.id)
            )
            #expect(credentials.apiSecret.exposedValue == "kucoin-secret-1")
            #expect(credentials.passphrase?.exposedValue == "kucoin-pass-1")
            let batch = try await PostgresExchangeStore(database: live.database, ring: after)
                .undeliveredBatch(limit: 10, at: at)
            #expect(batch.events.map(\.key.id) == [key.id] && batch.parked.isEmpty)
            let received = try await PostgresBotStore(database: live.database, ring: after).unhandledUpdates()
            #expect(received.updates == updates && received.dropped.isEmpty)
        }
    }

    /// One unreadable token (a row sealed under a key not in the ring) anywhere: the rotation stops, names the row
    /// and changes nothing, though pages before it were already re-sealed inside the transaction.
    @Test(arguments: ["key", "conversation"])
    func anUnreadableTokenAbortsChangingNothing(place: String) async throws {
        guard StoreEngine.postgres.isAvailable else { return }
        try await MigrationTestDatabase.with("rotatebad") { live in
            _ = try await populate(live, under: old, count: 25)
            let stranger = try MultiFernet(keys: [FernetKey.generate()])
            switch place {
            case "key":
                try await live.psql(
                    """
                    INSERT INTO user_exchanges (id, user_id, exchange_name, label, api_key, api_secret)
                    VALUES (900, 1, 'binance', 'stray', 'plain-key', '\(stranger.encrypt("lost"))')
                    """
                )
            default:
                try await live.psql(
                    """
                    INSERT INTO exchange_bot_conversations (telegram_id, state, updated_at)
                    VALUES (9000000000, '\(stranger.encrypt("lost"))', TIMESTAMP '2026-01-01 00:00:00')
                    """
                )
            }
            let before = try await tokens(live)
            do {
                _ = try await PostgresKeyRotation.rotate(
                    live.database,
                    ring: try MultiFernet(keys: [new, old]),
                    pageSize: 4
                )
                Issue.record("a rotation with an unreadable token succeeded")
            } catch let error as UnreadableSecrets {
                #expect(error.rowIDs == (place == "key" ? [900] : []))
                #expect(error.botTokens == (place == "key" ? 0 : 1))
                #expect(error.description.contains("nothing was changed") && !error.description.contains("lost"))
            }
            #expect(try await tokens(live) == before, "every row as it was")
            #expect(try await live.psql("SELECT count(*) FROM exchange_bot_audit_log") == "0")
        }
    }

    @Test func theStartUpCheckRefusesAWrongKey() async throws {
        guard StoreEngine.postgres.isAvailable else { return }
        try await MigrationTestDatabase.with("keycheck") { live in
            try await PostgresSchema.migrate(live.database)
            let empty = try await PostgresMasterKeyCheck.run(live.database, ring: MultiFernet(keys: [new]))
            #expect(empty.tokens == 0 && !empty.wrongKey, "an empty database opens with any key")

            let sealed = try await populate(live, under: old, count: 12)
            let wrong = try await PostgresMasterKeyCheck.run(live.database, ring: MultiFernet(keys: [new]))
            #expect(wrong.wrongKey && wrong.unreadable == wrong.tokens)
            let total =
                sealed.keys + sealed.passphrases + sealed.tokenAPIKeys + sealed.undeliveredEvents
                + sealed.botRows
            #expect(wrong.tokens == total)

            let older = try await PostgresMasterKeyCheck.run(live.database, ring: MultiFernet(keys: [new, old]))
            #expect(!older.wrongKey && older.openedByOlderKeys == total && older.openedByPrimary == 0)
            let quick = try await PostgresMasterKeyCheck.run(
                live.database,
                ring: MultiFernet(keys: [new, old]),
                stoppingAtFirstReadable: true
            )
            #expect(!quick.wrongKey && quick.tokens == 1)
        }
    }
}
