import ExchangeBotCore
import ExchangeBotStorage
import Fernet
import Foundation
import Logging
import PostgresStorage

extension Storage {
    /// PostgreSQL: a pooled client that runs from here until ``close``, the schema migrated under an advisory lock.
    static func openPostgres(_ url: PostgresURL, target: DatabaseTarget, ring: MultiFernet, logger: Logger)
        async throws -> Storage
    {
        do {
            try await PostgresPool.probe(url, logger: logger)
        } catch {
            throw ConfigurationError("DATABASE_URL", "cannot use \(url.redacted): \(Commands.describe(error))")
        }
        let database = try PostgresPool(url: url, logger: logger)
        let pool = await database.runInBackground()
        do {
            try await PostgresSchema.migrate(database)
        } catch let error as PostgresSchemaError {
            // It names what is wrong with the platform's tables and the statement that fixes it: say it as it is.
            pool.cancel()
            throw error
        } catch {
            pool.cancel()
            throw ConfigurationError("DATABASE_URL", "cannot migrate \(url.redacted) (\(Commands.describe(error)))")
        }
        let store = PostgresExchangeStore(database: database, ring: ring)
        let close: @Sendable () async -> Void = {
            pool.cancel()
            _ = await pool.value
        }
        return Storage(
            target: target,
            exchangeStore: store,
            botStore: PostgresBotStore(database: database, ring: ring),
            upkeep: store,
            accountLinks: store,
            mailOutbox: store,
            isReachable: { await database.isReachable() },
            queueDepths: { try await database.queueDepths() },
            checkMasterKey: { stopping in
                try await PostgresMasterKeyCheck.run(database, ring: ring, stoppingAtFirstReadable: stopping)
            },
            rotate: { date in try await PostgresKeyRotation.rotate(database, ring: ring, at: date) },
            schemaVersion: { try await PostgresSchema.appliedMigrations(database).last },
            close: close,
            poolService: DatabasePoolService(close: close),
            makeLeaderLease: { logger in try PostgresLeaderLease(url: url, notices: database.notices, logger: logger) }
        )
    }
}
