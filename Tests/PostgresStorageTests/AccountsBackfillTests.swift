import ExchangeBotStorage
import Foundation
import GRDB
import PostgresStorage
import TestSupport
import Testing

/// Migrating a database whose `users` already link Telegram accounts (the platform's, and the round-1 bot's):
/// the product's Telegram accounts table is backfilled, users without an email taken as made by the bot.
@Suite struct AccountsBackfillTests {
    static let users = """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            username VARCHAR(80),
            email VARCHAR(120),
            telegram_id BIGINT UNIQUE,
            language_code VARCHAR(10),
            is_admin BOOLEAN NOT NULL DEFAULT FALSE,
            is_active BOOLEAN NOT NULL DEFAULT TRUE,
            created_at TIMESTAMP
        );
        INSERT INTO users (id, username, email, telegram_id, language_code) VALUES
            (1, 'made-by-bot', NULL, 101, 'ru'),
            (2, 'platform', 'p@example.com', 102, NULL),
            (3, 'no-telegram', 'n@example.com', NULL, 'en');
        """

    static let query = """
        SELECT telegram_id || ':' || user_id || ':' || coalesce(language_code, '-') || ':'
            || CASE WHEN made_by_bot THEN 'bot' ELSE 'platform' END
        FROM %@ ORDER BY telegram_id
        """

    static let expected = ["101:1:ru:bot", "102:2:-:platform"]

    @Test func sqliteBackfillsFromUsers() async throws {
        let folder = TemporaryFolder()
        let queue = try DatabaseQueue(path: folder.path("round1.sqlite3"))
        try await queue.write { db in try db.execute(sql: Self.users) }
        let database = try AppDatabase(queue)
        let rows = try await database.writer.read { db in
            try String.fetchAll(db, sql: String(format: Self.query, "bot_telegram_accounts"))
        }
        #expect(rows == Self.expected)
        #expect(try database.appliedMigrations().contains("v7-platform-accounts"))
    }

    @Test func postgresBackfillsFromUsers() async throws {
        guard StoreEngine.postgres.isAvailable else { return }
        let server = try await PostgresTestServer.shared()
        let (database, url, pool) = try await server.openDatabase("backfill")
        defer { pool.cancel() }
        let name = PostgresTestServer.databaseName(in: url)
        try await server.psql(Self.users, database: name)
        try await PostgresSchema.migrate(database)
        let rows = try await server.psql(String(format: Self.query, "exchange_bot_telegram_accounts"), database: name)
        #expect(rows.split(separator: "\n").map(String.init) == Self.expected)
        #expect(try await PostgresSchema.appliedMigrations(database).last == "account_tables.5")
    }
}
