import ExchangeBotCore
import Fernet
import Foundation
import GRDB
import SealedRecords

/// The ``ExchangeStore`` on SQLite: the seed's tables, Fernet at rest, and this service's audit log, validation
/// reports and outbox.
///
/// Secrets and passphrases are encrypted with the master key ring's primary key before they reach SQL, and only
/// ``credentials(ofKey:)`` opens them again. This file reads; the changes to keys are in `+KeyChanges`, the outbox
/// in `+Outbox`, health holds, alerts and the key-check budget in `+Health`.
public struct SQLiteExchangeStore: ExchangeStore {
    public let database: AppDatabase
    let ring: MultiFernet

    public init(database: AppDatabase, ring: MultiFernet) {
        self.database = database
        self.ring = ring
    }

    var writer: any DatabaseWriter { database.writer }
    var users: UsersTable { database.users }

    // MARK: - Users

    public func user(id: Int64) async throws -> User? {
        try await writer.read { db in try self.users.fetch(db, id: id) }
    }

    // MARK: - Keys

    public func keys(ofUser userID: Int64) async throws -> [ExchangeKey] {
        try await writer.read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT \(RowMapping.keyColumns) FROM user_exchanges e WHERE e.user_id = ? ORDER BY e.id"
                ),
                arguments: [userID]
            ).map(key(from:))
        }
    }

    public func key(id: Int64) async throws -> ExchangeKey? {
        try await writer.read { db in try self.fetchKey(db, id: id) }
    }

    func fetchKey(_ db: Database, id: Int64) throws -> ExchangeKey? {
        try Row.fetchOne(
            db,
            sql: "SELECT \(RowMapping.keyColumns) FROM user_exchanges e WHERE e.id = ?",
            arguments: [id]
        ).map(key(from:))
    }

    /// A key this transaction wrote or read a moment ago; ``StorageError/missingRow(table:id:)`` if it is gone.
    func requireKey(_ db: Database, id: Int64) throws -> ExchangeKey {
        guard let key = try fetchKey(db, id: id) else { throw StorageError.missingRow(table: "user_exchanges", id: id) }
        return key
    }

    public func decider(ofKey id: Int64) async throws -> String? {
        try await writer.read { db in try AuditLog.decider(db, keyID: id) }
    }

    public func pendingRequests() async throws -> [PendingRequest] {
        try await writer.read { db in try self.pendingRequests(db, keyID: nil) }
    }

    public func pendingRequest(keyID: Int64) async throws -> PendingRequest? {
        try await writer.read { db in try self.pendingRequests(db, keyID: keyID).first }
    }

    /// Pending keys with their owners and reports: all of them, or the one with `keyID`.
    private func pendingRequests(_ db: Database, keyID: Int64?) throws -> [PendingRequest] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT \(RowMapping.keyColumns), \(users.columns()), v.report
                FROM user_exchanges e
                JOIN users u ON u.id = e.user_id
                LEFT JOIN key_validation v ON v.exchange_id = e.id
                WHERE coalesce(upper(e.status), 'PENDING') = 'PENDING' AND (? IS NULL OR e.id = ?)
                ORDER BY e.id
                """,
            arguments: [keyID, keyID]
        ).map { row in
            PendingRequest(
                key: key(from: row),
                owner: RowMapping.user(row),
                report: KeyValidation.decode(row["report"])
            )
        }
    }

    public func approvedKeys() async throws -> [ExchangeKey] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(RowMapping.keyColumns) FROM user_exchanges e
                    WHERE upper(e.status) = 'APPROVED'
                        AND (NOT EXISTS (SELECT 1 FROM key_holds h WHERE h.exchange_id = e.id)
                            -- A held key is inactive unless the Python side, which knows nothing of holds,
                            -- activated it again: then it is checked like any active key.
                            OR coalesce(e.is_active, 0) != 0)
                    ORDER BY e.id
                    """
            ).map(key(from:))
        }
    }

    public func credentials(ofKey id: Int64) async throws -> Credentials? {
        let stored = try await writer.read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT exchange_name, api_key, api_secret, passphrase FROM user_exchanges WHERE id = ?",
                arguments: [id]
            ).map { row in
                StoredCredentials(
                    exchangeName: row["exchange_name"],
                    apiKey: self.revealAPIKey(row["api_key"]),
                    secretToken: row["api_secret"],
                    passphraseToken: row["passphrase"]
                )
            }
        }
        return try stored?.open(with: ring)
    }

    public func recordAudit(_ entry: AuditEntry) async throws {
        try await writer.write { db in try AuditLog.insert(db, entry) }
    }

    // MARK: - Helpers

    /// Another key of this user on this exchange (or its alias) with the same API key, compared after opening
    /// API keys the Python side stored encrypted.
    func duplicate(_ db: Database, userID: Int64, credentials: Credentials, except id: Int64?) throws -> Int64? {
        let names = credentials.exchange.storedNames
        let placeholders = names.map { _ in "?" }.joined(separator: ", ")
        var arguments: StatementArguments = [userID]
        arguments += StatementArguments(names)
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT id, api_key FROM user_exchanges WHERE user_id = ? AND lower(exchange_name) IN (\(placeholders))
                """,
            arguments: arguments
        )
        return rows.first { row in
            (row["id"] as Int64) != id && revealAPIKey(row["api_key"]) == credentials.apiKey
        }.map { $0["id"] }
    }

    /// A row as a key, its API key opened if the Python side stored it as a Fernet token (newer seed versions
    /// encrypt it too; this service stores it in plain text, as the schema documents).
    func key(from row: Row) -> ExchangeKey {
        var key = RowMapping.key(row)
        key.apiKey = revealAPIKey(key.apiKey)
        return key
    }

    func revealAPIKey(_ stored: String) -> String {
        StoredCredentials.revealAPIKey(stored, with: ring)
    }
}
