import BotConversation
import ExchangeBotCore
import ExchangeBotStorage
import Fernet
import Foundation
import GRDB
import PostgresNIO
import PostgresStorage
import TestSupport

/// A fresh, migrated ``ExchangeStore`` on one engine, with what the contract tests do around it that the product
/// never does: creating users, raw SQL (the Python side writing a row), dumping every table.
///
/// SQLite is an in-memory `AppDatabase`; PostgreSQL a fresh database of the shared ``PostgresTestServer`` per test,
/// so tests never see each other's rows.
struct ExchangeStoreFixture: Sendable {
    let engine: StoreEngine
    let ring: MultiFernet
    /// The store, and the same database seen through another master key ring (another process's configuration).
    let reopen: @Sendable (MultiFernet) -> any ExchangeStore & OutboxUpkeep & AccountLinkStore & MailOutbox
    /// The bot's store on the same database.
    let bot: any BotStore
    /// The user the platform's SQLAlchemy models created, when the fixture was made with a platform `users` model.
    var platformUserID: Int64?
    /// Runs one SQL statement written for both engines (table names through ``table(_:)``).
    let execute: @Sendable (String) async throws -> Void
    /// The first column of the first row, as an integer (`NULL` and no row are `nil`).
    let scalar: @Sendable (String) async throws -> Int64?
    /// Every table's rows as text, for looking for what must not be stored in clear.
    let dump: @Sendable () async throws -> String
    let close: @Sendable () async -> Void

    var store: any ExchangeStore & OutboxUpkeep & AccountLinkStore & MailOutbox { reopen(ring) }

    /// The name of one of the store's own tables on this engine (`outbox`, `audit_log`, …).
    func table(_ name: String) -> String {
        engine == .postgres ? "exchange_bot_" + name : name
    }

    /// Creates a user the way the platform's sign-up does.
    func addUser(_ name: String, telegramID: Int64? = nil) async throws -> User {
        try await execute(
            """
            INSERT INTO users (username, email, telegram_id, is_admin, is_active, created_at)
            VALUES ('\(name)', '\(name)@example.com', \(telegramID.map(String.init) ?? "NULL"), FALSE, TRUE,
                '2026-01-01 00:00:00')
            """
        )
        guard let id = try await scalar("SELECT id FROM users WHERE username = '\(name)'"),
            let user = try await store.user(id: id)
        else { throw FixtureError.missingUser }
        return user
    }

    /// Runs `body` on a fresh store of `engine`, closing it afterwards (also when `body` throws). With `platform`,
    /// SQLAlchemy creates the platform's `users` table of that model (and one user) before the store migrates.
    static func with(
        _ engine: StoreEngine,
        platform: SeedPlatform.UsersModel? = nil,
        _ body: (ExchangeStoreFixture) async throws -> Void
    ) async throws {
        let fixture = try await make(engine, platform: platform)
        do {
            try await body(fixture)
        } catch {
            await fixture.close()
            throw error
        }
        await fixture.close()
    }

    static func make(_ engine: StoreEngine, platform: SeedPlatform.UsersModel? = nil) async throws
        -> ExchangeStoreFixture
    {
        let ring = try MultiFernet(keys: [FernetKey.generate()])
        switch engine {
        case .sqlite: return try await sqlite(ring: ring, platform: platform)
        case .postgres: return try await postgres(ring: ring, platform: platform)
        }
    }

    private static func sqlite(ring: MultiFernet, platform: SeedPlatform.UsersModel?) async throws
        -> ExchangeStoreFixture
    {
        let folder = TemporaryFolder()
        var platformUserID: Int64?
        if let platform {
            let path = folder.path("platform.sqlite3")
            platformUserID = try await SeedPlatform.createUsers(platform, sqlalchemyURL: "sqlite:///" + path)
        }
        let database =
            platform == nil
            ? try AppDatabase.open(.inMemory) : try AppDatabase.open(.file(path: folder.path("platform.sqlite3")))
        return ExchangeStoreFixture(
            engine: .sqlite,
            ring: ring,
            reopen: { SQLiteExchangeStore(database: database, ring: $0) },
            bot: SQLiteBotStore(database: database, ring: ring),
            platformUserID: platformUserID,
            execute: { sql in try await database.writer.write { db in try db.execute(sql: sql) } },
            scalar: { sql in try await database.writer.read { db in try Int64.fetchOne(db, sql: sql) } },
            dump: {
                try await database.writer.read { db in
                    var text = ""
                    let tables = try String.fetchAll(
                        db,
                        sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                    )
                    for table in tables {
                        for row in try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\"") {
                            text += row.databaseValues.map(\.description).joined(separator: "|") + "\n"
                        }
                    }
                    return text
                }
            },
            close: { _ = folder }
        )
    }

    private static func postgres(ring: MultiFernet, platform: SeedPlatform.UsersModel?) async throws
        -> ExchangeStoreFixture
    {
        let server = try await PostgresTestServer.shared()
        let (database, url, pool) = try await server.openDatabase("exstore")
        let name = String(url.split(separator: "/").last?.split(separator: "?").first ?? "")
        var platformUserID: Int64?
        do {
            if let platform {
                platformUserID = try await SeedPlatform.createUsers(
                    platform,
                    sqlalchemyURL: SeedPlatform.sqlalchemyURL(url)
                )
            }
            try await PostgresSchema.migrate(database)
        } catch {
            pool.cancel()
            throw error
        }
        return ExchangeStoreFixture(
            engine: .postgres,
            ring: ring,
            reopen: { PostgresExchangeStore(database: database, ring: $0) },
            bot: PostgresBotStore(database: database, ring: ring),
            platformUserID: platformUserID,
            execute: { sql in _ = try await database.query(PostgresQuery(unsafeSQL: sql)).collect() },
            scalar: { sql in
                let rows = try await database.query(PostgresQuery(unsafeSQL: sql)).collect()
                return try rows.first.flatMap { try $0.makeRandomAccess()[0].decode(Int64?.self) }
            },
            dump: { try await server.dump(database: name) },
            close: {
                pool.cancel()
                _ = await pool.value
            }
        )
    }
}

enum FixtureError: Error {
    case missingUser
}

/// Values the contract tests share.
enum Samples {
    /// A fixed clock reading, whole seconds so both engines store it exactly.
    static let now = Date(timeIntervalSince1970: 1_780_000_000)
    static let secret = "contract-secret-Zq81xv"
    static let passphrase = "contract-passphrase-Lk27"

    static let report = ValidationReport(
        canTrade: true,
        canWithdraw: false,
        ipRestricted: true,
        permissions: ["SPOT"],
        warnings: []
    )

    static func credentials(_ exchange: ExchangeID = .okx, apiKey: String = "contract-api-key-0000001")
        -> Credentials
    {
        Credentials(
            exchange: exchange,
            apiKey: apiKey,
            apiSecret: SecretString(secret),
            passphrase: exchange.requiresPassphrase ? SecretString(passphrase) : nil
        )
    }

    static func submission(
        _ user: User,
        exchange: ExchangeID = .okx,
        apiKey: String = "contract-api-key-0000001",
        label: String = "Main",
        at: Date = now
    ) -> StoredKeySubmission {
        StoredKeySubmission(
            userID: user.id,
            label: label,
            credentials: credentials(exchange, apiKey: apiKey),
            report: report,
            at: at
        )
    }

    static func audit(
        _ action: AuditAction,
        by caller: Caller = .system,
        keyID: Int64? = nil,
        at: Date = now
    ) -> AuditEntry {
        AuditEntry(at: at, caller: caller, action: action, keyID: keyID, outcome: .succeeded)
    }

    /// Inserts a key that must be new.
    static func insert(_ store: any ExchangeStore, _ submission: StoredKeySubmission) async throws -> ExchangeKey {
        let outcome = try await store.insertKey(submission, audit: audit(.addKey))
        guard case .inserted(let key, _) = outcome else { throw ContractError.unexpected }
        return key
    }

    /// A health check's audit entry.
    static var healthAudit: AuditEntry { audit(.checkKeyHealth) }

    static let admin = Caller(userID: 900, telegramID: 9000, displayName: "@admin")
}

enum ContractError: Error {
    case unexpected
}

extension AuditEntry {
    /// The entry with its caller's user id set (the key-check budget counts by it).
    func owned(by userID: Int64) -> AuditEntry {
        var entry = self
        entry.caller = Caller(userID: userID, displayName: caller.displayName)
        return entry
    }
}

extension UpdateOutcome {
    /// The updated key, or an error for any other outcome.
    var key: ExchangeKey {
        get throws {
            guard case .updated(let key, _) = self else { throw ContractError.unexpected }
            return key
        }
    }
}
