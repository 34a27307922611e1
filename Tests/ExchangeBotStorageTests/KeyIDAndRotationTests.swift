import Dispatch
import ExchangeBotCore
import Fernet
import Foundation
import GRDB
import TestSupport
import Testing

@testable import ExchangeBotStorage

/// The store's durability and identity promises: `synchronous=FULL` on every connection, key ids never reused
/// (also in a table the Python side created), API keys stored as Fernet tokens rotated like the secrets.
@Suite struct KeyIDAndRotationTests {
    @Test func everyConnectionOfThePoolSyncsInFull() throws {
        let folder = TemporaryFolder()
        let database = try AppDatabase.open(.file(path: folder.path("sync.sqlite")))
        let pool = try #require(database.writer as? DatabasePool)
        let writerLevel = try pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(writerLevel == 2)
        // Readers held open at the same time are distinct connections.
        let values = ValueBox()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            let value = try? pool.read { db -> Int? in
                usleep(100_000)
                return try Int.fetchOne(db, sql: "PRAGMA synchronous")
            }
            values.append(value ?? -1)
        }
        #expect(values.values == [2, 2, 2, 2])
        #expect(try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") } == "wal")
    }

    /// The seed table as SQLAlchemy writes it (table-level primary key), with a column and an index this service
    /// does not know, and a deleted key whose id the audit log still names.
    @Test func aPythonCreatedTableIsRebuiltWithAutoincrementKeepingEverything() async throws {
        let folder = TemporaryFolder()
        let path = folder.path("python.sqlite")
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE users (id INTEGER NOT NULL, username VARCHAR(80), email VARCHAR(120),
                        telegram_id INTEGER UNIQUE, language_code TEXT, is_admin BOOLEAN NOT NULL DEFAULT 0,
                        is_active BOOLEAN NOT NULL DEFAULT 1, created_at DATETIME, PRIMARY KEY (id));
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
                        platform_note TEXT DEFAULT 'kept',
                        PRIMARY KEY (id),
                        FOREIGN KEY(user_id) REFERENCES users (id)
                    );
                    CREATE INDEX ix_platform_note ON user_exchanges (platform_note);
                    INSERT INTO users (id, username) VALUES (1, 'alice');
                    INSERT INTO user_exchanges (id, user_id, exchange_name, label, api_key, api_secret, status,
                        platform_note, created_at)
                    VALUES (3, 1, 'binance', 'Main', 'python-key-0000000001', 'x', 'PENDING', 'note', '2026-01-01');
                    """
            )
        }
        try queue.close()
        let database = try AppDatabase(try DatabaseQueue(path: path))
        try await database.writer.read { db in
            let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'user_exchanges'")
            #expect(sql?.contains("AUTOINCREMENT") == true && sql?.contains("platform_note") == true)
            #expect(try String.fetchOne(db, sql: "SELECT platform_note FROM user_exchanges WHERE id = 3") == "note")
            #expect(try db.indexes(on: "user_exchanges").contains { $0.name == "ix_platform_note" })
            #expect(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").isEmpty)
            #expect(try db.foreignKeys(on: "key_validation").first?.destinationTable == "user_exchanges")
        }
        // The deleted highest key (id 3) is not handed out again.
        try await database.writer.write { db in
            try db.execute(sql: "DELETE FROM user_exchanges WHERE id = 3")
            try db.execute(
                sql: """
                    INSERT INTO user_exchanges (user_id, exchange_name, label, api_key, api_secret)
                    VALUES (1, 'okx', 'New', 'k', 's')
                    """
            )
            #expect(db.lastInsertedRowID == 4)
        }
    }

    @Test func theSequenceStartsAboveIdsOnlyTheAuditLogRemembers() throws {
        let queue = try DatabaseQueue()
        var migrator = Migrations.migrator
        try migrator.migrate(queue, upTo: "v4-telegram-lanes")
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO audit_log (at, actor, action, exchange_id, outcome)
                    VALUES ('2026-01-01 00:00:00', 'system', 'key.delete', 41, 'ok')
                    """
            )
        }
        migrator = Migrations.migrator
        try migrator.migrate(queue)
        try queue.write { db in
            try db.execute(sql: "INSERT INTO users (username) VALUES ('alice')")
            try db.execute(
                sql: """
                    INSERT INTO user_exchanges (user_id, exchange_name, label, api_key, api_secret)
                    VALUES (1, 'okx', 'New', 'k', 's')
                    """
            )
            #expect(db.lastInsertedRowID == 42)
        }
    }

    @Test(arguments: [
        "CREATE TABLE user_exchanges (id INTEGER PRIMARY KEY, x TEXT)",
        "CREATE TABLE IF NOT EXISTS \"user_exchanges\" (\n\tid INTEGER NOT NULL, \n\tx TEXT, \n\tPRIMARY KEY (id)\n)",
    ])
    func bothPrimaryKeyFormsGetAutoincrement(sql: String) throws {
        let rebuilt = try #require(KeyIDRebuild.autoincrementing(sql))
        #expect(rebuilt.hasPrefix("CREATE TABLE user_exchanges_v5"))
        #expect(rebuilt.contains("AUTOINCREMENT"))
        let queue = try DatabaseQueue()
        try queue.write { db in try db.execute(sql: rebuilt) }
    }

    @Test func rotationResealsAPIKeysStoredAsTokensAndTheStartupCheckCountsThem() async throws {
        let old = FernetKey.generate()
        let new = FernetKey.generate()
        let harness = try ServiceHarness(ring: try MultiFernet(keys: [old]))
        let alice = try await harness.user()
        let key = try await harness.service.addKey(Sample.submission(), userID: alice.id, by: .system)
        // The Python side's newer rows keep the API key encrypted too.
        let sealed = Fernet(key: old).encrypt(Sample.submission().apiKey)
        try await harness.database.writer.write { db in
            try db.execute(sql: "UPDATE user_exchanges SET api_key = ? WHERE id = ?", arguments: [sealed, key.id])
        }
        let check = try MasterKeyCheck.run(harness.database, ring: try MultiFernet(keys: [new]))
        #expect(check.tokens == 2 && check.unreadable == 2)

        let report = try MasterKeyRotation.rotate(harness.database, ring: try MultiFernet(keys: [new, old]))
        #expect(report.apiKeys == 1)
        let stored = try await harness.database.writer.read { db in
            try String.fetchOne(db, sql: "SELECT api_key FROM user_exchanges WHERE id = ?", arguments: [key.id])
        }
        let token = try #require(stored)
        #expect(try MultiFernet(keys: [new]).decryptString(token) == Sample.submission().apiKey)
        let newOnly = SQLiteExchangeStore(database: harness.database, ring: try MultiFernet(keys: [new]))
        #expect(try await newOnly.key(id: key.id)?.apiKey == Sample.submission().apiKey)
    }

    @Test func anAPIKeyTokenNoKeyOpensStopsTheRotation() async throws {
        let harness = try ServiceHarness()
        let alice = try await harness.user()
        let key = try await harness.service.addKey(Sample.submission(), userID: alice.id, by: .system)
        let foreign = Fernet(key: .generate()).encrypt("some-api-key-000000001")
        try await harness.database.writer.write { db in
            try db.execute(sql: "UPDATE user_exchanges SET api_key = ? WHERE id = ?", arguments: [foreign, key.id])
        }
        #expect(throws: MasterKeyRotation.UnreadableSecrets.self) {
            try MasterKeyRotation.rotate(harness.database, ring: harness.ring)
        }
    }
}

/// Values collected from several threads.
final class ValueBox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Int] = []

    var values: [Int] { lock.withLock { items } }

    func append(_ value: Int) { lock.withLock { items.append(value) } }
}

/// A database the Python side shares keeps rows its connections (foreign keys off, SQLAlchemy's default on SQLite)
/// left behind: a validation report or a key version whose key the Python side deleted, a key whose user it
/// deleted. The rebuild of `user_exchanges` must not refuse to start on them.
@Suite struct KeyIDRebuildTests {
    @Test func theRebuildAcceptsRowsOrphanedByTheOtherSide() throws {
        let folder = TemporaryFolder()
        let path = folder.path("shared.sqlite")
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        var migrator = Migrations.migrator
        migrator.eraseDatabaseOnSchemaChange = false
        try migrator.migrate(queue, upTo: "v4-telegram-lanes")
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO users (id, username) VALUES (1, 'alice');
                    INSERT INTO user_exchanges (id, user_id, exchange_name, label, api_key, api_secret)
                    VALUES (1, 1, 'binance', 'Main', 'key-0000000000000001', 's'),
                           (2, 77, 'okx', 'Orphan owner', 'key-0000000000000002', 's');
                    INSERT INTO key_validation (exchange_id, report, checked_at)
                    VALUES (1, '{}', '2026-01-01 00:00:00'), (9, '{}', '2026-01-01 00:00:00');
                    """
            )
        }
        try queue.close()
        let database = try AppDatabase(try DatabaseQueue(path: path))
        try database.writer.read { db in
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM user_exchanges") == 2)
            let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'user_exchanges'")
            #expect(sql?.contains("AUTOINCREMENT") == true)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM key_validation") == 2, "nothing deleted")
        }
    }

    /// A view the platform made on `user_exchanges`, and a trigger on another table that names it, survive the
    /// rebuild and read the new table.
    @Test func theRebuildKeepsViewsAndTriggersOfTheOtherSide() throws {
        let folder = TemporaryFolder()
        let path = folder.path("views.sqlite")
        let queue = try DatabaseQueue(path: path)
        var migrator = Migrations.migrator
        migrator.eraseDatabaseOnSchemaChange = false
        try migrator.migrate(queue, upTo: "v4-telegram-lanes")
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO users (id, username) VALUES (1, 'alice');
                    INSERT INTO user_exchanges (id, user_id, exchange_name, label, api_key, api_secret, status)
                    VALUES (1, 1, 'binance', 'Main', 'key-0000000000000001', 's', 'PENDING');
                    CREATE VIEW platform_pending AS SELECT id, label FROM user_exchanges WHERE status = 'PENDING';
                    CREATE TABLE platform_events (exchange_id INTEGER);
                    CREATE TRIGGER platform_touch AFTER INSERT ON platform_events
                    BEGIN UPDATE user_exchanges SET label = 'touched' WHERE id = new.exchange_id; END;
                    """
            )
        }
        try queue.close()
        let database = try AppDatabase(try DatabaseQueue(path: path))
        try database.writer.write { db in
            let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'user_exchanges'")
            #expect(sql?.contains("AUTOINCREMENT") == true)
            #expect(try String.fetchOne(db, sql: "SELECT label FROM platform_pending WHERE id = 1") == "Main")
            try db.execute(sql: "INSERT INTO platform_events (exchange_id) VALUES (1)")
            #expect(try String.fetchOne(db, sql: "SELECT label FROM user_exchanges WHERE id = 1") == "touched")
            #expect(try Bool.fetchOne(db, sql: "PRAGMA legacy_alter_table") == false)
        }
    }
}
