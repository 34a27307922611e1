import ExchangeBotCore
import Fernet
import Foundation
import PostgresNIO
import PostgresStorage
import TestSupport
import Testing

/// `migrate` on PostgreSQL as a guest in the platform's database: its own tables and version record, the platform's
/// tables created only when missing and never altered, a clear stop (naming the fix) when they cannot hold what the
/// service writes, and safe when instances start together.
@Suite struct MigrationTests {
    /// What a platform's SQLAlchemy models make: `users` with only the five columns DESIGN.md allows, credential
    /// columns of `String(500)`.
    static let platformSchema = """
        CREATE TABLE users (
            id SERIAL PRIMARY KEY,
            username VARCHAR(80) NOT NULL,
            email VARCHAR(120) NOT NULL,
            is_active BOOLEAN NOT NULL DEFAULT TRUE,
            is_admin BOOLEAN NOT NULL DEFAULT FALSE
        );
        CREATE TABLE user_exchanges (
            id SERIAL PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            exchange_name VARCHAR(50) NOT NULL,
            label VARCHAR(100) NOT NULL,
            api_key VARCHAR(500) NOT NULL,
            api_secret VARCHAR(500) NOT NULL,
            passphrase VARCHAR(500),
            status VARCHAR(20) DEFAULT 'PENDING',
            is_active BOOLEAN DEFAULT FALSE,
            error_message TEXT,
            created_at TIMESTAMP WITHOUT TIME ZONE,
            updated_at TIMESTAMP WITHOUT TIME ZONE
        );
        """

    static let fixes = SeedPlatform.fixes

    func versions(_ live: MigrationTestDatabase) async throws -> [String] {
        try await live.psql(
            "SELECT id || ' ' || name || ' ' || applied_at FROM exchange_bot_schema_version ORDER BY id"
        )
        .split(separator: "\n").map(String.init)
    }

    @Test func migratesAnEmptyDatabase() async throws {
        guard StoreEngine.postgres.isAvailable else { return }
        try await MigrationTestDatabase.with("migempty") { live in
            #expect(try await PostgresSchema.appliedMigrations(live.database).isEmpty)
            try await PostgresSchema.migrate(live.database)
            let tables = Set(
                try await live.psql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").split(
                    separator: "\n"
                )
            )
            #expect(tables.isSuperset(of: ["users", "user_exchanges", "exchange_bot_schema_version"]))
            #expect(tables.allSatisfy { $0 == "users" || $0 == "user_exchanges" || $0.hasPrefix("exchange_bot_") })
            // The tables it creates for itself hold the longest token: TEXT, not VARCHAR(500).
            let widths = try await live.psql(
                """
                SELECT column_name || '=' || data_type FROM information_schema.columns
                WHERE table_name = 'user_exchanges' AND column_name IN ('api_key', 'api_secret', 'passphrase')
                ORDER BY column_name
                """
            )
            #expect(widths == "api_key=text\napi_secret=text\npassphrase=text")
            let applied = try await PostgresSchema.appliedMigrations(live.database)
            #expect(!applied.isEmpty && Set(applied).count == applied.count)
            #expect(applied.first == "exchange_tables.1")
        }
    }

    @Test func migratingTwiceChangesNothing() async throws {
        guard StoreEngine.postgres.isAvailable else { return }
        try await MigrationTestDatabase.with("migtwice") { live in
            try await PostgresSchema.migrate(live.database)
            let first = try await versions(live)
            let shapes = try await live.columnShapes(["users", "user_exchanges"])
            try await PostgresSchema.migrate(live.database)
            #expect(try await versions(live) == first, "no migration recorded (or run) twice")
            #expect(try await live.columnShapes(["users", "user_exchanges"]) == shapes)
        }
    }

    /// Five instances starting at once: the advisory lock makes them take turns, so none fails on a `CREATE` racing
    /// another, and each migration is recorded once.
    @Test func fiveInstancesMigrateAtOnce() async throws {
        guard StoreEngine.postgres.isAvailable else { return }
        try await MigrationTestDatabase.with("migfive") { live in
            var instances = [MigrationTestDatabase]()
            for _ in 0..<5 {
                instances.append(try await MigrationTestDatabase.open(server: live.server, name: live.name))
            }
            let results = await withTaskGroup(of: String?.self) { group in
                for instance in instances {
                    group.addTask {
                        do {
                            try await PostgresSchema.migrate(instance.database)
                            return nil
                        } catch {
                            return String(describing: error)
                        }
                    }
                }
                var failures = [String]()
                for await failure in group { failures += failure.map { [$0] } ?? [] }
                return failures
            }
            for instance in instances { await instance.close() }
            #expect(results.isEmpty, "\(results)")
            let names = try await live.psql("SELECT name FROM exchange_bot_schema_version").split(separator: "\n")
            #expect(!names.isEmpty && Set(names).count == names.count)
            #expect(try await PostgresSchema.appliedMigrations(live.database).count == names.count)
        }
    }

    /// The platform made its tables with `String(500)` credential columns: `migrate` stops, changing nothing, says
    /// which columns and why, and names the `ALTER`s; after them it migrates, leaving the platform's columns alone.
    @Test func stopsOnNarrowCredentialColumnsAndNamesTheFix() async throws {
        guard StoreEngine.postgres.isAvailable else { return }
        try await MigrationTestDatabase.with("mignarrow") { live in
            try await live.psql(Self.platformSchema)
            do {
                try await PostgresSchema.migrate(live.database)
                Issue.record("migrate accepted VARCHAR(500) credential columns")
            } catch let error as PostgresSchemaError {
                let secretToken = ColumnWidth.tokenLength(plaintext: KeyRules.maxPEMLength)
                let passphraseToken = ColumnWidth.tokenLength(plaintext: KeyRules.maxFieldLength)
                #expect(
                    error.problems == [
                        .narrowColumn(
                            table: "user_exchanges",
                            column: "api_secret",
                            declared: 500,
                            needed: secretToken
                        ),
                        .narrowColumn(
                            table: "user_exchanges",
                            column: "passphrase",
                            declared: 500,
                            needed: passphraseToken
                        ),
                    ],
                    "api_key stays: the service writes it in clear (at most 500 characters)"
                )
                #expect(error.fixes == Self.fixes)
                let text = error.description
                #expect(text.contains("user_exchanges.api_secret is VARCHAR(500)") && text.contains("\(secretToken)"))
                #expect(text.contains(Self.fixes[0]) && text.contains(Self.fixes[1]))
            }
            // Nothing was created: the transaction was rolled back.
            #expect(try await live.psql("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'exchange_bot_%'") == "0")

            for fix in Self.fixes { try await live.psql(fix) }
            let before = try await live.columnShapes(["users", "user_exchanges"])
            try await PostgresSchema.migrate(live.database)
            #expect(
                try await live.columnShapes(["users", "user_exchanges"]) == before,
                "the platform's columns as they were"
            )
            #expect(try await live.psql("SELECT count(*) FROM exchange_bot_schema_version") != "0")
        }
    }

    /// The lengths ``ColumnWidth`` computes are what Fernet really writes.
    @Test func tokenLengthsAreFernetsOwn() throws {
        let ring = try MultiFernet(keys: [FernetKey.generate()])
        for length in [0, 1, 15, 16, 17, 500, 4_096] {
            let token = ring.encrypt(String(repeating: "k", count: length))
            #expect(token.utf8.count == ColumnWidth.tokenLength(plaintext: length), "plaintext of \(length)")
        }
    }

    @Test func stopsOnAMissingColumn() async throws {
        guard StoreEngine.postgres.isAvailable else { return }
        try await MigrationTestDatabase.with("migmissing") { live in
            try await live.psql(
                "CREATE TABLE users (id SERIAL PRIMARY KEY, username TEXT, email TEXT, is_active BOOLEAN)"
            )
            do {
                try await PostgresSchema.migrate(live.database)
                Issue.record("migrate accepted users without is_admin")
            } catch let error as PostgresSchemaError {
                #expect(error.problems == [.missingColumns(table: "users", columns: ["is_admin"])])
                #expect(error.fixes.isEmpty && error.description.contains("users has no column(s) is_admin"))
            }
            #expect(try await live.psql("SELECT count(*) FROM pg_tables WHERE tablename = 'user_exchanges'") == "0")
        }
    }

    @Test func stopsWhenTheSearchPathNamesNoSchema() async throws {
        guard StoreEngine.postgres.isAvailable else { return }
        let options = "sslmode=disable&options=-csearch_path%3Dnowhere"
        try await MigrationTestDatabase.with("mignoschema", options: options) { live in
            await #expect(throws: PostgresSchemaError.self) { try await PostgresSchema.migrate(live.database) }
        }
    }

    /// `search_path=bot,public` with the platform's tables in `public`: they are used where they are (not shadowed
    /// by new empty ones in `bot`), and the service's own tables go to `bot`.
    @Test func usesThePlatformTablesWhereTheSearchPathFindsThem() async throws {
        guard StoreEngine.postgres.isAvailable else { return }
        let plain = try await MigrationTestDatabase.make("migpath")
        try await plain.psql(Self.platformSchema)
        for fix in Self.fixes { try await plain.psql(fix) }
        try await plain.psql("CREATE SCHEMA bot")
        await plain.close()
        let options = "sslmode=disable&options=-csearch_path%3Dbot,public"
        try await MigrationTestDatabase.open(server: plain.server, name: plain.name, options: options).use { live in
            try await PostgresSchema.migrate(live.database)
            let placed = try await live.psql(
                """
                SELECT table_schema || '.' || table_name FROM information_schema.tables
                WHERE table_name IN ('users', 'user_exchanges', 'exchange_bot_schema_version') ORDER BY 1
                """
            )
            #expect(placed == "bot.exchange_bot_schema_version\npublic.user_exchanges\npublic.users")
        }
    }
}

/// Fernet's token length, computed independently of the product: 57 bytes of framing around the plaintext padded to
/// whole 16-byte blocks, in padded base64.
enum ColumnWidth {
    static func tokenLength(plaintext: Int) -> Int {
        let bytes = 57 + (plaintext / 16 + 1) * 16
        return Int((Double(bytes) / 3).rounded(.up)) * 4
    }
}
