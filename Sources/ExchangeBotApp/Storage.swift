import BotConversation
import ExchangeBotCore
import ExchangeBotStorage
import Fernet
import Foundation
import Logging
import PostgresStorage
import ServiceLifecycle

/// The database `DATABASE_URL` names, opened and migrated, behind the ports the rest of the service speaks: SQLite
/// through GRDB, or PostgreSQL through a pooled client that runs until ``close``.
///
/// The one place that knows both engines: everything above it sees only ``ExchangeStore``, ``BotStore``,
/// ``OutboxUpkeep``, ``AccountLinkStore`` and ``MailOutbox``.
struct Storage: Sendable {
    let target: DatabaseTarget
    let exchangeStore: any ExchangeStore
    let botStore: any BotStore
    let upkeep: any OutboxUpkeep
    /// Links between Telegram accounts and platform users, and their one-time codes (the exchange store).
    let accountLinks: any AccountLinkStore
    /// The email channel's queue (the exchange store).
    let mailOutbox: any MailOutbox
    let isReachable: @Sendable () async -> Bool
    /// Each queue's waiting rows, for `/metrics`.
    let queueDepths: @Sendable () async throws -> QueueDepths
    /// Checks which stored secrets the ring opens.
    let checkMasterKey: @Sendable (_ stoppingAtFirstReadable: Bool) async throws -> MasterKeyCheck.Report
    /// Re-encrypts every stored secret under the ring's first key, in one transaction.
    let rotate: @Sendable (_ at: Date) async throws -> MasterKeyRotation.Report
    /// The schema's last applied migration.
    let schemaVersion: @Sendable () async throws -> String?
    /// Stops PostgreSQL's connection pool (nothing for SQLite).
    let close: @Sendable () async -> Void
    /// PostgreSQL's connection pool as a member of `run`'s service group (see ``DatabasePoolService``).
    let poolService: (any Service)?
    /// PostgreSQL's leader lease, whose holder hears this instance's pool's notices as its own (see
    /// `PostgresLeaderLease`); `nil` on SQLite, where the one instance always runs everything.
    let makeLeaderLease: (@Sendable (Logger) throws -> any LeaderLease)?

    /// Opens and migrates.
    ///
    /// - Parameter concurrentReads: SQLite only: a pool of readers for the long-running service; a one-shot command
    ///   uses a single connection, so a refusal leaves an up-to-date file untouched.
    static func open(
        _ target: DatabaseTarget,
        ring: MultiFernet,
        logger: Logger,
        concurrentReads: Bool = false
    ) async throws -> Storage {
        switch target {
        case .sqlite(let location):
            let database: AppDatabase
            do {
                database = try AppDatabase.open(location, concurrentReads: concurrentReads)
            } catch {
                throw ConfigurationError("DATABASE_URL", "cannot open the database (\(Commands.describe(error)))")
            }
            let store = SQLiteExchangeStore(database: database, ring: ring)
            return Storage(
                target: target,
                exchangeStore: store,
                botStore: SQLiteBotStore(database: database, ring: ring),
                upkeep: store,
                accountLinks: store,
                mailOutbox: store,
                isReachable: { await database.isReachable() },
                queueDepths: { try await database.queueDepths() },
                checkMasterKey: { stopping in
                    try MasterKeyCheck.run(database, ring: ring, stoppingAtFirstReadable: stopping)
                },
                rotate: { date in try MasterKeyRotation.rotate(database, ring: ring, at: date) },
                schemaVersion: { try database.appliedMigrations().last },
                close: {},
                poolService: nil,
                makeLeaderLease: nil
            )
        case .postgres(let url):
            return try await openPostgres(url, target: target, ring: ring, logger: logger)
        }
    }
}

/// PostgreSQL's pool in `run`'s service group. The pool runs from the moment the database is opened (migration, the
/// key check and the bot's start-up read it before the group runs), so this service owns its end instead: listed
/// first, it is stopped last, once every service that queries has finished, and only then closes the pool.
struct DatabasePoolService: Service {
    let close: @Sendable () async -> Void

    func run() async throws {
        try? await gracefulShutdown()
        await close()
    }
}
