import BotConversation
import ExchangeBotStorage
import Fernet
import Foundation
import GRDB
import PostgresNIO
import PostgresStorage
import TestSupport

/// The bot's tables the contract tests look into, by role: each engine names them its own way.
enum BotTable {
    case updates, seenUpdates, conversations, outgoing, posted

    func name(on engine: StoreEngine) -> String {
        switch (self, engine) {
        case (.updates, .sqlite): "bot_inbox"
        case (.updates, .postgres): "exchange_bot_updates"
        case (.seenUpdates, .sqlite): "bot_seen_updates"
        case (.seenUpdates, .postgres): "exchange_bot_seen_updates"
        case (.conversations, .sqlite): "bot_conversations"
        case (.conversations, .postgres): "exchange_bot_conversations"
        case (.outgoing, .sqlite): "bot_outgoing"
        case (.outgoing, .postgres): "exchange_bot_outgoing"
        case (.posted, .sqlite): "bot_posted"
        case (.posted, .postgres): "exchange_bot_posted_messages"
        }
    }
}

/// A fresh, migrated database on one engine and a ``BotStore`` on it, with what the contract tests need to look
/// past the protocol: another store on the same database (another key ring), plain SQL, and every row as text.
struct BotStoreFixture: Sendable {
    let engine: StoreEngine
    let key: FernetKey
    let store: any BotStore
    /// The PostgreSQL pool, on that engine: for transactions a test holds open beside the store's.
    let pool: PostgresPool?
    private let makeStore: @Sendable (MultiFernet) -> any BotStore
    private let runSQL: @Sendable (String) async throws -> Void
    private let countSQL: @Sendable (String) async throws -> Int
    private let textSQL: @Sendable (String) async throws -> [String]
    private let dumpRows: @Sendable () async throws -> [String]

    /// Another store on the same database, sealing and opening with `ring`.
    func store(ring: MultiFernet) -> any BotStore { makeStore(ring) }

    /// Runs constant SQL written in the dialect both engines share.
    func execute(_ sql: String) async throws { try await runSQL(sql) }

    /// The number of rows of a bot table, optionally filtered (`WHERE …` in the shared dialect).
    func count(_ table: BotTable, _ filter: String = "") async throws -> Int {
        try await countSQL("SELECT count(*) FROM \(table.name(on: engine)) \(filter)")
    }

    /// The first column of every row a query returns, as text.
    func texts(_ sql: String) async throws -> [String] { try await textSQL(sql) }

    /// The number of `users` rows of a Telegram user.
    func userRows(telegramID: Int64) async throws -> Int {
        try await countSQL("SELECT count(*) FROM users WHERE telegram_id = \(telegramID)")
    }

    /// Every row of every table of the database, as text (a PostgreSQL dump through `psql`): where a secret typed in
    /// an update or a conversation must not appear.
    func everyRow() async throws -> [String] { try await dumpRows() }

    /// Runs `body` on a fresh database of `engine`, or prints why it is skipped when the engine is not installed.
    static func with(
        _ engine: StoreEngine,
        key: FernetKey = .generate(),
        _ body: (BotStoreFixture) async throws -> Void
    ) async throws {
        guard engine.isAvailable else { return }
        let ring = try MultiFernet(keys: [key])
        switch engine {
        case .sqlite:
            try await body(try sqlite(key: key, ring: ring))
        case .postgres:
            let server = try await PostgresTestServer.shared()
            let (database, url, pool) = try await server.openDatabase("botstore")
            defer { pool.cancel() }
            try await PostgresSchema.migrate(database)
            try await body(try postgres(database, name: try PostgresURL(url).database, server: server, key: key))
        }
    }

    private static func sqlite(key: FernetKey, ring: MultiFernet) throws -> BotStoreFixture {
        let database = try AppDatabase.open(.inMemory)
        let writer = database.writer
        return BotStoreFixture(
            engine: .sqlite,
            key: key,
            store: SQLiteBotStore(database: database, ring: ring),
            pool: nil,
            makeStore: { SQLiteBotStore(database: database, ring: $0) },
            runSQL: { sql in try await writer.write { db in try db.execute(sql: sql) } },
            countSQL: { sql in try await writer.read { db in try Int.fetchOne(db, sql: sql) ?? 0 } },
            textSQL: { sql in try await writer.read { db in try String.fetchAll(db, sql: sql) } },
            dumpRows: {
                try await writer.read { db in
                    let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
                    return try tables.flatMap { table in
                        try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\"").map { "\(table): \($0)" }
                    }
                }
            }
        )
    }

    private static func postgres(
        _ database: PostgresPool,
        name: String,
        server: PostgresTestServer,
        key: FernetKey
    ) throws -> BotStoreFixture {
        BotStoreFixture(
            engine: .postgres,
            key: key,
            store: PostgresBotStore(database: database, ring: try MultiFernet(keys: [key])),
            pool: database,
            makeStore: { PostgresBotStore(database: database, ring: $0) },
            runSQL: { sql in try await database.query(PostgresQuery(unsafeSQL: sql)) },
            countSQL: { sql in
                for try await count in try await database.query(PostgresQuery(unsafeSQL: sql)).decode(Int64.self) {
                    return Int(count)
                }
                return 0
            },
            textSQL: { sql in
                var texts = [String]()
                for try await text in try await database.query(PostgresQuery(unsafeSQL: sql)).decode(String.self) {
                    texts.append(text)
                }
                return texts
            },
            dumpRows: { try await server.dump(database: name).split(separator: "\n").map(String.init) }
        )
    }
}
