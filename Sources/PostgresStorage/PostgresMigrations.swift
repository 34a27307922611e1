import PostgresNIO

/// One named step of this service's schema, applied once and recorded in `exchange_bot_schema_version`.
struct PostgresMigration: Sendable {
    let name: String
    let statement: String
}

/// The migrations, in order, and the version table that records them.
///
/// Each statement of ``PostgresExchangeTables/statements``, ``PostgresBotTables/statements`` and
/// ``PostgresAccountTables/statements`` is a migration of its own, named by its list and position
/// (`exchange_tables.3`): those lists are append-only, so a statement added later runs once on every database that
/// lacks it, and one already applied never runs again.
enum PostgresMigrations {
    /// Serialises every `migrate` on this database (advisory locks are per database): two instances starting
    /// together wait for each other instead of racing on `CREATE TABLE`. The value is "ExBtScma" in ASCII.
    static let lockKey: Int64 = 0x4578_4274_5363_6D61

    static let versionTable = """
        CREATE TABLE IF NOT EXISTS exchange_bot_schema_version (
            id BIGSERIAL PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            applied_at TIMESTAMP WITHOUT TIME ZONE NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
        )
        """

    static var all: [PostgresMigration] {
        numbered("exchange_tables", PostgresExchangeTables.statements)
            + numbered("bot_tables", PostgresBotTables.statements)
            + numbered("account_tables", PostgresAccountTables.statements)
    }

    private static func numbered(_ list: String, _ statements: [String]) -> [PostgresMigration] {
        statements.enumerated().map { PostgresMigration(name: "\(list).\($0.offset + 1)", statement: $0.element) }
    }

    /// The names already applied, oldest first.
    static func applied(_ connection: PostgresConnection, logger: Logger) async throws -> [String] {
        let rows = try await connection.query(
            "SELECT name FROM exchange_bot_schema_version ORDER BY id",
            logger: logger
        )
        var names = [String]()
        for try await name in rows.decode(String.self) { names.append(name) }
        return names
    }

    /// Applies what is missing and records it, on a connection inside the migration's transaction.
    static func apply(_ connection: PostgresConnection, logger: Logger) async throws {
        _ = try await connection.query(PostgresQuery(unsafeSQL: versionTable), logger: logger).collect()
        let done = Set(try await applied(connection, logger: logger))
        for migration in all where !done.contains(migration.name) {
            _ = try await connection.query(PostgresQuery(unsafeSQL: migration.statement), logger: logger).collect()
            _ = try await connection.query(
                "INSERT INTO exchange_bot_schema_version (name) VALUES (\(migration.name))",
                logger: logger
            ).collect()
        }
    }
}
