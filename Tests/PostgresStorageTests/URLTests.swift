import Foundation
import PostgresNIO
import PostgresStorage
import TestSupport
import Testing

/// `DATABASE_URL` in SQLAlchemy's PostgreSQL forms: parsed, shown without its password, and used for real.
@Suite struct URLTests {
    static let schemes = ["postgresql", "postgres", "postgresql+psycopg2", "postgresql+psycopg", "postgresql+asyncpg"]

    @Test(arguments: schemes)
    func everySQLAlchemySchemeParsesTheSame(scheme: String) throws {
        let url = try PostgresURL("\(scheme)://bot:pw@db.example.com:6543/platform")
        #expect(url.host == "db.example.com" && url.port == 6543 && url.database == "platform")
        #expect(url.username == "bot" && url.password == "pw" && url.socketPath == nil)
        #expect(url.tlsMode == .prefer, "libpq's default")
        #expect(url.searchPath == nil)
        #expect(PostgresURL.isPostgres("\(scheme)://bot@h/db"))
    }

    @Test func otherSchemesAreNotPostgres() {
        #expect(!PostgresURL.isPostgres("sqlite:///data/exchange-bot.sqlite"))
        #expect(!PostgresURL.isPostgres("mysql://u:p@h/db"))
        #expect(throws: PostgresURL.InvalidURL.self) { try PostgresURL("mysql://u:p@h/db") }
    }

    @Test func defaultsFillWhatTheURLLeavesOut() throws {
        let url = try PostgresURL("postgresql://bot@localhost")
        #expect(url.port == 5432 && url.database == "bot" && url.password == nil && url.host == "localhost")
    }

    @Test(arguments: [
        ("disable", PostgresURL.TLSMode.disable), ("prefer", .prefer), ("require", .require),
        ("verify-full", .verifyFull), ("allow", .allow), ("verify-ca", .verifyCA),
    ])
    func sslModes(mode: String, expected: PostgresURL.TLSMode) throws {
        let url = try PostgresURL("postgresql://bot:pw@h/db?sslmode=\(mode)")
        #expect(url.tlsMode == expected)
        _ = try url.clientConfiguration()
    }

    @Test func anUnknownSSLModeIsRefusedWithoutShowingThePassword() {
        do {
            _ = try PostgresURL("postgresql://bot:hunter2secret@h/db?sslmode=sometimes")
            Issue.record("an unknown sslmode was accepted")
        } catch {
            #expect(error.description.contains("sslmode=sometimes"))
            #expect(!error.description.contains("hunter2secret"))
        }
    }

    @Test(arguments: ["-csearch_path%3Dplatform", "-c%20search_path%3Dplatform", "-csearch_path=platform"])
    func searchPathFromOptions(options: String) throws {
        let url = try PostgresURL("postgresql+psycopg2://bot:pw@h/db?sslmode=require&options=\(options)")
        #expect(url.searchPath == "platform" && url.tlsMode == .require)
        let parameters = try url.clientConfiguration().options.additionalStartupParameters
        #expect(parameters.contains { $0 == "options" && $1 == "-csearch_path=platform" })
        #expect(parameters.contains { $0 == "TimeZone" && $1 == "UTC" }, "sessions run in UTC")
    }

    @Test func optionsOtherThanSearchPathAreRefused() {
        #expect(throws: PostgresURL.InvalidURL.self) {
            try PostgresURL("postgresql://bot:pw@h/db?options=-cstatement_timeout%3D5")
        }
    }

    @Test func anEscapedPasswordIsDecodedAndNeverShown() throws {
        let url = try PostgresURL("postgresql://bot:p%40ss%3Aw%2Frd%25%20ok%3F@h:5432/db")
        #expect(url.password == "p@ss:w/rd% ok?")
        #expect(url.redacted == "postgresql://bot:***@h:5432/db")
        #expect(!url.redacted.contains("p%40ss") && !url.redacted.contains("p@ss"))
        #expect(!"\(url.redacted)".contains("ok?"))
        var dumped = ""
        dump(url, to: &dumped)
        for printed in ["\(url)", String(reflecting: url), dumped] {
            #expect(!printed.contains("p@ss") && !printed.contains("ok?"), "\(printed)")
        }
        #expect("\(url)" == url.redacted && dumped.contains("***"))
    }

    @Test func anEscapedUserAndDatabase() throws {
        let url = try PostgresURL("postgresql://bot%40corp:pw@h/my%2Ddb")
        #expect(url.username == "bot@corp" && url.database == "my-db")
        #expect(try PostgresURL("postgresql://bot@h/db").redacted == "postgresql://bot@h:5432/db")
    }

    @Test func aUnixSocketFolder() throws {
        let url = try PostgresURL("postgresql://bot@/db?host=/run/postgresql")
        #expect(url.socketPath == "/run/postgresql/.s.PGSQL.5432")
        #expect(!url.redacted.contains("***"))
    }

    // MARK: - Live

    /// Every scheme connects to the test server with its password full of URL escapes (`scram-sha-256`).
    @Test func connectsWithAnEscapedPasswordInEveryForm() async throws {
        guard StoreEngine.postgres.isAvailable else { return }
        let server = try await PostgresTestServer.shared()
        let plain = try await server.makeDatabase("urlforms")
        #expect(plain.contains("%"), "the test password needs escapes")
        let name = String(plain.split(separator: "/").last?.split(separator: "?").first ?? "")
        try await server.psql("ALTER DATABASE \(name) SET synchronous_commit = off", database: name)
        for scheme in Self.schemes {
            let text = scheme + plain.drop { $0 != ":" }
            let url = try PostgresURL(String(text))
            #expect(url.password == PostgresTestServer.password)
            #expect(!url.redacted.contains(PostgresTestServer.password))
            try await MigrationTestDatabase.open(server: server, url: String(text)).use { live in
                let rows = try await live.database.query(
                    "SELECT current_user::text, current_setting('TimeZone'), current_setting('synchronous_commit')"
                ).collect()
                let (user, zone, synchronous) = try #require(rows.first).decode((String, String, String).self)
                #expect(user == "postgres" && zone == "UTC")
                #expect(synchronous == "on", "a commit is on disk when it returns, whatever the database's default")
            }
        }
    }

    /// `options=-csearch_path%3Dschema`: the service's tables land in that schema, none in `public`.
    @Test func migratesIntoTheSearchPathSchema() async throws {
        guard StoreEngine.postgres.isAvailable else { return }
        let server = try await PostgresTestServer.shared()
        let plain = try await server.makeDatabase("urlschema")
        let name = String(plain.split(separator: "/").last?.split(separator: "?").first ?? "")
        try await server.psql("CREATE SCHEMA platform", database: name)
        let options = "sslmode=disable&options=-csearch_path%3Dplatform"
        try await MigrationTestDatabase.open(server: server, name: name, options: options).use { live in
            try await PostgresSchema.migrate(live.database)
            let schemas = try await live.psql(
                """
                SELECT DISTINCT table_schema FROM information_schema.tables
                WHERE table_name IN ('users', 'user_exchanges') OR table_name LIKE 'exchange_bot_%'
                """
            )
            #expect(schemas == "platform")
            let count = try await live.psql(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'platform'"
            )
            #expect((Int(count) ?? 0) > 3)
            let rows = try await live.database.query("SELECT current_schema()::text").collect()
            #expect(try rows.first?.decode(String.self) == "platform")
        }
    }
}
