import ExchangeBotCore
import Fernet
import Foundation
import PostgresNIO
import SealedRecords

/// The ``ExchangeStore`` on PostgreSQL: the platform's `users` and `user_exchanges`, Fernet at rest, and this
/// service's audit log, validation reports, key versions, holds, alerts and outbox in `exchange_bot_` tables
/// (``PostgresExchangeTables``). It behaves as `SQLiteExchangeStore` does, call for call.
///
/// Every call is one transaction. SQLite serialises writers; here several instances may write at once, so what
/// must not interleave is said in the SQL: a change to a key locks the key's row first, checks over all of a
/// user's keys (duplicates, the key-check budget) lock the user's row, and a service alert relies on its table's
/// primary key. Secrets are encrypted with the ring's primary key before they reach SQL, and only
/// ``credentials(ofKey:)`` opens them again. This file reads; changes to keys are in `+KeyChanges`, the outbox in
/// `+Outbox`, health holds, alerts and the key-check budget in `+Health`.
public struct PostgresExchangeStore: ExchangeStore {
    public let database: PostgresPool
    let ring: MultiFernet

    public init(database: PostgresPool, ring: MultiFernet) {
        self.database = database
        self.ring = ring
    }

    /// Runs `body` in one transaction.
    func transaction<Result: Sendable>(_ body: (PostgresExchangeSession) async throws -> Result) async throws
        -> Result
    {
        try await database.transaction { connection in
            try await body(try await session(connection))
        }
    }

    func session(_ connection: PostgresConnection) async throws -> PostgresExchangeSession {
        PostgresExchangeSession(
            connection: connection,
            logger: database.logger,
            ring: ring,
            users: try await database.usersTable.table(connection, logger: database.logger)
        )
    }

    /// Runs `body`, whose queries must be a single statement (or independent reads), outside a transaction.
    func read<Result: Sendable>(_ body: (PostgresExchangeSession) async throws -> Result) async throws -> Result {
        try await database.withConnection { connection in
            try await body(try await session(connection))
        }
    }

    /// Whether the database answers a trivial query (for `/readyz`).
    public func isReachable() async -> Bool {
        await database.isReachable()
    }

    // MARK: - Users

    public func user(id: Int64) async throws -> User? {
        try await read { session in try await session.user(id: id) }
    }

    // MARK: - Keys

    public func keys(ofUser userID: Int64) async throws -> [ExchangeKey] {
        try await read { session in
            try await session.rows(
                """
                SELECT \(unescaped: PostgresExchangeRows.keyColumns) FROM user_exchanges e
                WHERE e.user_id = \(userID) ORDER BY e.id
                """
            ).map { try session.key(from: $0) }
        }
    }

    public func key(id: Int64) async throws -> ExchangeKey? {
        try await read { session in try await session.key(id: id) }
    }

    public func decider(ofKey id: Int64) async throws -> String? {
        try await transaction { session in try await PostgresAuditLog.decider(session, keyID: id) }
    }

    public func pendingRequests() async throws -> [PendingRequest] {
        try await read { session in try await session.pendingRequests(keyID: nil) }
    }

    public func pendingRequest(keyID: Int64) async throws -> PendingRequest? {
        try await read { session in try await session.pendingRequests(keyID: keyID).first }
    }

    public func approvedKeys() async throws -> [ExchangeKey] {
        try await read { session in
            // A held key is inactive unless the Python side, which knows nothing of holds, activated it again: then
            // it is checked like any active key.
            try await session.rows(
                """
                SELECT \(unescaped: PostgresExchangeRows.keyColumns) FROM user_exchanges e
                WHERE upper(e.status) = 'APPROVED'
                    AND (NOT EXISTS (SELECT 1 FROM exchange_bot_key_holds h WHERE h.exchange_id = e.id)
                        OR coalesce(e.is_active, FALSE))
                ORDER BY e.id
                """
            ).map { try session.key(from: $0) }
        }
    }

    public func credentials(ofKey id: Int64) async throws -> Credentials? {
        let stored = try await transaction { session in
            try await session.rows(
                "SELECT exchange_name, api_key, api_secret, passphrase FROM user_exchanges WHERE id = \(id)"
            ).first.map { row in
                StoredCredentials(
                    exchangeName: try row["exchange_name"].decode(String.self),
                    apiKey: session.revealAPIKey(try row["api_key"].decode(String.self)),
                    secretToken: try row["api_secret"].decode(String.self),
                    passphraseToken: try row["passphrase"].decode(String?.self)
                )
            }
        }
        return try stored?.open(with: ring)
    }

    public func recordAudit(_ entry: AuditEntry) async throws {
        try await transaction { session in try await PostgresAuditLog.insert(session, entry) }
    }
}
