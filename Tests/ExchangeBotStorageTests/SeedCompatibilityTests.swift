import ExchangeBotCore
import Fernet
import Foundation
import GRDB
import TestSupport
import Testing

@testable import ExchangeBotStorage

/// The Python side's database: created from the seed's schema (as SQLAlchemy emits it) with rows and Fernet
/// tokens written by Python, then adopted by our migrations and read both ways.
@Suite struct SeedCompatibilityTests {
    /// The seed's tables as SQLAlchemy's `create_all` writes them for SQLite.
    static let seedSchema = """
        CREATE TABLE users (
            id INTEGER NOT NULL,
            username VARCHAR(100),
            email VARCHAR(255),
            telegram_id INTEGER,
            language_code VARCHAR(10),
            is_admin BOOLEAN NOT NULL,
            is_active BOOLEAN NOT NULL,
            created_at DATETIME,
            PRIMARY KEY (id),
            UNIQUE (telegram_id)
        );
        CREATE TABLE user_exchanges (
            id INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            exchange_name VARCHAR(50) NOT NULL,
            label VARCHAR(100) NOT NULL,
            api_key VARCHAR(500) NOT NULL,
            api_secret VARCHAR(500) NOT NULL,
            passphrase VARCHAR(500),
            status VARCHAR(20),
            is_active BOOLEAN,
            error_message TEXT,
            created_at DATETIME,
            updated_at DATETIME,
            PRIMARY KEY (id),
            FOREIGN KEY(user_id) REFERENCES users (id)
        );
        """

    @Test func migratesAnEmptyFile() throws {
        let folder = TemporaryFolder()
        let database = try AppDatabase.open(.file(path: folder.path("empty.sqlite")))
        let tables = try database.writer.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }
        #expect(Set(tables).isSuperset(of: ["users", "user_exchanges", "audit_log", "key_validation", "outbox"]))
        let columns = try database.writer.read { db in try db.columns(in: "user_exchanges").map(\.name) }
        #expect(
            columns == [
                "id", "user_id", "exchange_name", "label", "api_key", "api_secret", "passphrase", "status", "is_active",
                "error_message", "created_at", "updated_at",
            ]
        )
        // WAL, so readers never wait for the writer.
        let mode = try database.writer.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        // Migrating again is a no-op.
        _ = try AppDatabase.open(.file(path: folder.path("empty.sqlite")))
    }

    @Test(.enabled(if: Python.cryptographyAvailable, "\(Python.skipReason): seed interop not checked"))
    func adoptsADatabaseThePythonSideCreated() async throws {
        let folder = TemporaryFolder()
        let path = folder.path("seed.sqlite")
        let key = FernetKey.generate()
        // Given: the Python side created the schema and wrote a user and two keys.
        try await Python.run(
            """
            import sqlite3, sys
            from cryptography.fernet import Fernet
            f = Fernet(sys.argv[2].encode())
            db = sqlite3.connect(sys.argv[1])
            db.executescript(sys.argv[3])
            db.execute("INSERT INTO users (id, username, email, telegram_id, is_admin, is_active, created_at) "
                       "VALUES (7, 'seeduser', 's@example.com', 4242, 0, 1, '2024-01-02 03:04:05.123456')")
            db.execute("INSERT INTO user_exchanges (id, user_id, exchange_name, label, api_key, api_secret, passphrase, "
                       "status, is_active, created_at, updated_at) VALUES (1, 7, 'okx', 'OKX main', 'okx-key-123456789', ?, ?, "
                       "'APPROVED', 1, '2024-01-02 03:04:05.123456', '2024-01-02 03:04:05.123456')",
                       (f.encrypt(b'okx-secret').decode(), f.encrypt(b'okx-pass').decode()))
            db.execute("INSERT INTO user_exchanges (id, user_id, exchange_name, label, api_key, api_secret, status, "
                       "is_active) VALUES (2, 7, 'gateio', 'Gate', 'gate-key-1234567', ?, 'PENDING', 0)",
                       (f.encrypt(b'gate-secret').decode(),))
            db.commit()
            """,
            arguments: [path, key.base64, Self.seedSchema]
        )
        // When: this service opens it.
        let database = try AppDatabase.open(.file(path: path))
        let store = SQLiteExchangeStore(database: database, ring: try MultiFernet(keys: [key]))
        // Then: its rows read as they are, secrets open.
        let keys = try await store.keys(ofUser: 7)
        #expect(keys.map(\.exchangeName) == ["okx", "gateio"])
        #expect(keys.map(\.status) == [.approved, .pending] && keys[0].isActive && keys[0].hasPassphrase)
        #expect(keys[1].exchange == .gate)
        #expect(abs((keys[0].createdAt?.timeIntervalSince1970 ?? 0) - 1_704_164_645.123456) < 0.001)
        let okx = try #require(try await store.credentials(ofKey: 1))
        #expect(okx.apiSecret.exposedValue == "okx-secret" && okx.passphrase?.exposedValue == "okx-pass")
        #expect(try await store.pendingRequests().map(\.owner.username) == ["seeduser"])

        // And what this service writes, Python reads.
        let service = ApprovalService(
            store: store,
            validator: FakeValidator(),
            notifier: RecordingNotifier(),
            clock: FixedClock()
        )
        let added = try await service.addKey(
            Sample.submission(
                exchange: "kucoin",
                apiKey: "kucoin-key-000001",
                secret: "kc-secret",
                passphrase: "kc-pass"
            ),
            userID: 7,
            by: .system
        )
        let output = try await Python.run(
            """
            import sqlite3, sys, datetime
            from cryptography.fernet import Fernet
            f = Fernet(sys.argv[2].encode())
            row = sqlite3.connect(sys.argv[1]).execute(
                "SELECT exchange_name, status, is_active, api_secret, passphrase, created_at FROM user_exchanges WHERE id = ?",
                (int(sys.argv[3]),)).fetchone()
            created = datetime.datetime.strptime(row[5], "%Y-%m-%d %H:%M:%S.%f")
            print(row[0], row[1], row[2], f.decrypt(row[3].encode()).decode(), f.decrypt(row[4].encode()).decode(), created.year)
            """,
            arguments: [path, key.base64, String(added.id)]
        )
        #expect(output == "kucoin PENDING 0 kc-secret kc-pass 2023")
    }

    @Test func adoptsTheSeedSchemaWithoutPython() async throws {
        let folder = TemporaryFolder()
        let path = folder.path("seed.sqlite")
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(sql: Self.seedSchema)
            try db.execute(sql: "INSERT INTO users (id, username, is_admin, is_active) VALUES (1, 'u', 0, 1)")
            try db.execute(
                sql: """
                    INSERT INTO user_exchanges (user_id, exchange_name, label, api_key, api_secret, status, is_active)
                    VALUES (1, 'binance', 'b', 'binance-key-000001', 'token', NULL, NULL)
                    """
            )
        }
        try queue.close()
        let database = try AppDatabase.open(.file(path: path))
        let store = SQLiteExchangeStore(database: database, ring: try MultiFernet(keys: [.generate()]))
        let key = try #require(try await store.keys(ofUser: 1).first)
        // NULL status is the column's default, NULL is_active is false.
        #expect(key.status == .pending && !key.isActive)
        #expect(
            try database.appliedMigrations() == [
                "v1-seed", "v2-service-tables", "v3-telegram-bot", "v4-telegram-lanes", "v5-hardening-store",
                "v6-hardening-bot", "v7-platform-accounts", "v8-reason-prompt-admin", "v9-seen-updates",
            ]
        )
    }

    @Test func apiKeysTheSeedEncryptedAreOpenedForDisplayAndDuplicates() async throws {
        let harness = try ServiceHarness()
        let alice = try await harness.user()
        let sealed = harness.ring.encrypt("seed-encrypted-key-001")
        try await harness.database.writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO user_exchanges (user_id, exchange_name, label, api_key, api_secret, status, is_active)
                    VALUES (?, 'bybit', 'From Python', ?, ?, 'APPROVED', 1)
                    """,
                arguments: [alice.id, sealed, harness.ring.encrypt("s")]
            )
        }
        let key = try #require(try await harness.store.keys(ofUser: alice.id).first)
        #expect(key.apiKey == "seed-encrypted-key-001" && key.maskedAPIKey == "seed…-001")
        await #expect(throws: ApprovalError.duplicateKey(existingID: key.id)) {
            try await harness.service.addKey(
                Sample.submission(exchange: "bybit", apiKey: "seed-encrypted-key-001"),
                userID: alice.id,
                by: .system
            )
        }
    }

    @Test func unknownStatusesAreNeverTradable() async throws {
        let harness = try ServiceHarness()
        let alice = try await harness.user()
        let key = try await harness.service.addKey(Sample.submission(), userID: alice.id, by: .system)
        try await harness.database.writer.write { db in
            try db.execute(sql: "UPDATE user_exchanges SET status = 'WEIRD' WHERE id = ?", arguments: [key.id])
        }
        #expect(try await harness.store.key(id: key.id)?.status == .rejected)
        await #expect(throws: ApprovalError.notApproved(.rejected)) {
            try await harness.service.setActive(keyID: key.id, userID: alice.id, active: true, by: .system)
        }
    }
}
