import PostgresNIO

/// Creates or upgrades the schema on PostgreSQL, sharing the database with the platform.
///
/// The platform may already own `users` and `user_exchanges` (made by SQLAlchemy or Alembic): they are created only
/// when missing, never altered. Everything else this service keeps is under the `exchange_bot_` prefix.
public enum PostgresSchema {
    /// `users` and `user_exchanges` as the seed's SQLAlchemy models create them, except that the credential columns
    /// are `TEXT`: a Fernet token of a long secret does not fit `VARCHAR(500)`.
    static let platformStatements = [
        """
        CREATE TABLE IF NOT EXISTS users (
            id SERIAL PRIMARY KEY,
            username VARCHAR(80),
            email VARCHAR(120),
            telegram_id BIGINT UNIQUE,
            language_code VARCHAR(10),
            is_admin BOOLEAN NOT NULL DEFAULT FALSE,
            is_active BOOLEAN NOT NULL DEFAULT TRUE,
            created_at TIMESTAMP WITHOUT TIME ZONE
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS user_exchanges (
            id SERIAL PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            exchange_name VARCHAR(50) NOT NULL,
            label VARCHAR(100) NOT NULL,
            api_key TEXT NOT NULL,
            api_secret TEXT NOT NULL,
            passphrase TEXT,
            status VARCHAR(20) DEFAULT 'PENDING',
            is_active BOOLEAN DEFAULT FALSE,
            error_message TEXT,
            created_at TIMESTAMP WITHOUT TIME ZONE,
            updated_at TIMESTAMP WITHOUT TIME ZONE
        )
        """,
    ]

    /// Brings the schema up to date, in one transaction, or stops changing nothing.
    ///
    /// Under an advisory lock (``PostgresMigrations/lockKey``), so instances starting together take turns. The
    /// platform's tables are looked up through the `search_path`, as every query of the service finds them; those
    /// that exist are checked first (``PostgresSchemaError``: a missing column, a credential column too narrow for
    /// what the service writes) and never altered; those missing are created in the first schema of the
    /// `search_path`, with the service's own `exchange_bot_` tables. Applied migrations are recorded in
    /// `exchange_bot_schema_version`.
    public static func migrate(_ database: PostgresPool) async throws {
        let logger = database.logger
        try await database.transaction { connection in
            _ = try await connection.query(
                "SELECT pg_advisory_xact_lock(\(PostgresMigrations.lockKey))",
                logger: logger
            ).collect()
            let placement = try await PlatformTables.find(connection, logger: logger)
            guard placement.currentSchema != nil else {
                throw PostgresSchemaError(problems: [.noSchema(searchPath: placement.searchPath)], fixes: [])
            }
            let check = try await ColumnCheck.problems(connection, schemas: placement.schemas, logger: logger)
            guard check.problems.isEmpty else {
                throw PostgresSchemaError(problems: check.problems, fixes: check.fixes)
            }
            for (table, statement) in zip(["users", "user_exchanges"], platformStatements)
            where placement.schemas[table] == nil {
                _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger).collect()
            }
            try await PostgresMigrations.apply(connection, logger: logger)
            database.usersTable.store(try await PostgresUsersTable.discover(connection, logger: logger))
        }
    }

    /// The names of the applied migrations, oldest first (none before the first ``migrate(_:)``).
    public static func appliedMigrations(_ database: PostgresPool) async throws -> [String] {
        try await database.transaction { connection in
            let exists =
                try await connection.query(
                    "SELECT to_regclass('exchange_bot_schema_version') IS NOT NULL",
                    logger: database.logger
                ).collect().first?.decode(Bool.self) ?? false
            guard exists else { return [] }
            return try await PostgresMigrations.applied(connection, logger: database.logger)
        }
    }
}

/// Where the `search_path` finds the platform's tables, if anywhere.
struct PlatformTables {
    /// The schema each existing platform table is in.
    var schemas: [String: String]
    /// Where new tables go: the first schema of the `search_path` that exists (`nil`: none does).
    var currentSchema: String?
    var searchPath: String

    /// `to_regclass` resolves a name exactly as the service's unqualified queries will, so a platform table in a
    /// later schema of the `search_path` (`bot, public` with the platform in `public`) is used, not shadowed by a
    /// new empty one.
    static func find(_ connection: PostgresConnection, logger: Logger) async throws -> PlatformTables {
        let rows = try await connection.query(
            """
            SELECT t.name, n.nspname::text FROM unnest(ARRAY['users', 'user_exchanges']) AS t(name)
            JOIN pg_class c ON c.oid = to_regclass(t.name) JOIN pg_namespace n ON n.oid = c.relnamespace
            """,
            logger: logger
        )
        var schemas = [String: String]()
        for try await (table, schema) in rows.decode((String, String).self) { schemas[table] = schema }
        let settings = try await connection.query(
            "SELECT current_schema()::text, current_setting('search_path')",
            logger: logger
        ).collect()
        let (current, searchPath) = try settings.first?.decode((String?, String).self) ?? (nil, "")
        return PlatformTables(schemas: schemas, currentSchema: current, searchPath: searchPath)
    }
}
