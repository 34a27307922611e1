import Foundation
import Logging
import PostgresNIO
import PostgresStorage
import TestSupport

/// A fresh database of the shared ``PostgresTestServer`` with a running pool, for the schema, rotation and interop
/// tests: the product's view (``database``) beside the superuser's `psql` (what a platform or an operator does).
struct MigrationTestDatabase: Sendable {
    let server: PostgresTestServer
    let name: String
    let url: String
    let database: PostgresPool
    let pool: Task<Void, Never>

    /// A new empty database; `options` replaces the URL's query (`sslmode=disable` by default).
    static func make(_ prefix: String, options: String = "sslmode=disable") async throws -> MigrationTestDatabase {
        let server = try await PostgresTestServer.shared()
        let plain = try await server.makeDatabase(prefix)
        let name = String(plain.split(separator: "/").last?.split(separator: "?").first ?? "")
        return try await open(server: server, name: name, options: options)
    }

    /// Another client (another instance of the service) on an existing database.
    static func open(server: PostgresTestServer, name: String, options: String = "sslmode=disable") async throws
        -> MigrationTestDatabase
    {
        try await open(server: server, url: server.url(database: name, options: options))
    }

    /// A client for `url` (any of the accepted forms) on the test server.
    static func open(server: PostgresTestServer, url: String) async throws -> MigrationTestDatabase {
        let parsed = try PostgresURL(url)
        let name = parsed.database
        // Errors only: a lease made before `run()` has started is logged as a warning, then served all the same.
        var logger = Logger(label: "pg-tests")
        logger.logLevel = .error
        let database = try PostgresPool(url: parsed, logger: logger)
        let pool = await database.runInBackground()
        return MigrationTestDatabase(server: server, name: name, url: url, database: database, pool: pool)
    }

    func close() async {
        pool.cancel()
        await pool.value
    }

    /// Runs SQL as the superuser, outside the service's pool; rows come back one a line, columns split by `|`.
    @discardableResult
    func psql(_ sql: String) async throws -> String {
        try await server.psql(sql, database: name)
    }

    /// Every column of `tables` as information_schema describes it (name, type, length, nullability, default),
    /// one line each: to prove a migration left the platform's tables exactly as they were.
    func columnShapes(_ tables: [String], schema: String = "public") async throws -> String {
        let list = tables.map { "'\($0)'" }.joined(separator: ", ")
        return try await psql(
            """
            SELECT table_name, column_name, data_type, coalesce(character_maximum_length::text, '-'), is_nullable,
                coalesce(column_default, '-')
            FROM information_schema.columns
            WHERE table_schema = '\(schema)' AND table_name IN (\(list)) ORDER BY table_name, ordinal_position
            """
        )
    }
}

extension MigrationTestDatabase {
    /// Runs `body` on a new database, stopping its pool afterwards (also when `body` throws).
    static func with(
        _ prefix: String,
        options: String = "sslmode=disable",
        _ body: (MigrationTestDatabase) async throws -> Void
    ) async throws {
        try await make(prefix, options: options).use(body)
    }

    /// Runs `body`, then stops the pool (also when `body` throws).
    func use(_ body: (MigrationTestDatabase) async throws -> Void) async throws {
        do {
            try await body(self)
        } catch {
            await close()
            throw error
        }
        await close()
    }
}
