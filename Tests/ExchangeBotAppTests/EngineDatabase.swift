import ExchangeBotCore
import ExchangeBotStorage
import Fernet
import Foundation
import GRDB
import Logging
import PostgresNIO
import PostgresStorage
import TestSupport

/// A database for a test of the real binary, on either engine: its `DATABASE_URL`, a store on it (migrated), and
/// ways to look inside.
struct EngineDatabase: Sendable {
    let url: String
    let store: any ExchangeStore
    let createUser: @Sendable (String) async throws -> User
    /// Every stored value as text (the SQLite files' bytes, or a PostgreSQL data dump).
    let storedText: @Sendable () async throws -> String
    let close: @Sendable () async -> Void

    static func make(_ engine: StoreEngine, folder: TemporaryFolder, key: FernetKey) async throws -> EngineDatabase {
        let ring = try MultiFernet(keys: [key])
        switch engine {
        case .sqlite:
            let path = folder.path("bot.sqlite")
            let database = try AppDatabase.open(.file(path: path), concurrentReads: false)
            let store = SQLiteExchangeStore(database: database, ring: ring)
            return EngineDatabase(
                url: "sqlite:///bot.sqlite",
                store: store,
                createUser: { name in
                    try await store.createUser(username: name, email: "\(name)@example.com", at: Date())
                },
                storedText: {
                    var bytes = Data()
                    for suffix in ["", "-wal"] {
                        bytes.append(FileManager.default.contents(atPath: path + suffix) ?? Data())
                    }
                    return String(decoding: bytes, as: UTF8.self)
                },
                close: {}
            )
        case .postgres:
            let server = try await PostgresTestServer.shared()
            let (pool, url, task) = try await server.openDatabase("e2e")
            try await PostgresSchema.migrate(pool)
            let store = PostgresExchangeStore(database: pool, ring: ring)
            return EngineDatabase(
                url: url,
                store: store,
                createUser: { name in
                    let rows = try await pool.query(
                        """
                        INSERT INTO users (username, email, is_admin, is_active, created_at)
                        VALUES (\(name), \(name + "@example.com"), FALSE, TRUE, NOW()) RETURNING id
                        """
                    )
                    for try await id in rows.decode(Int64.self) {
                        if let user = try await store.user(id: id) { return user }
                    }
                    throw PostgresTestServer.Failure("the new user was not read back")
                },
                storedText: { try await server.dump(database: PostgresTestServer.databaseName(in: url)) },
                close: {
                    task.cancel()
                    await task.value
                }
            )
        }
    }
}
