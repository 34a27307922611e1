import ExchangeBotCore
import Fernet
import Foundation
import Logging
import PostgresNIO
import SealedRecords

/// One transaction of ``PostgresExchangeStore``: its connection, and the reads and writes the store's calls share.
///
/// Row locks taken here are what SQLite's single writer gave for free. Their order is always a key's row
/// (`user_exchanges`) before its owner's (`users`), so two calls never wait on each other in a circle.
struct PostgresExchangeSession {
    let connection: PostgresConnection
    let logger: Logger
    let ring: MultiFernet
    /// The platform's `users` table as this database has it.
    let users: PostgresUsersTable

    /// Every row of a statement (consumed, so the next statement of the transaction can run).
    func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        try await connection.query(query, logger: logger).collect().map { $0.makeRandomAccess() }
    }

    func execute(_ query: PostgresQuery) async throws {
        _ = try await connection.query(query, logger: logger).collect()
    }

    // MARK: - Users

    /// A row of `users`, read whatever columns the platform's table has (it may have only `id, username, email,
    /// is_active, is_admin`; see ``PostgresUsersTable``).
    func user(id: Int64) async throws -> User? {
        try await rows("SELECT \(unescaped: users.columns()) FROM users u WHERE u.id = \(id)")
            .first.map { try PostgresExchangeRows.user($0) }
    }

    /// Locks a user's row until the transaction ends, so that checks over all of a user's keys (duplicates, the
    /// key-check budget) and the write they allow are not interleaved with another instance's. `NO KEY UPDATE`
    /// does not block the platform's foreign-key checks on the row, only other writers of it.
    func lockUser(id: Int64) async throws {
        try await execute("SELECT 1 FROM users WHERE id = \(id) FOR NO KEY UPDATE")
    }

    // MARK: - Keys

    func key(id: Int64) async throws -> ExchangeKey? {
        try await rows(
            "SELECT \(unescaped: PostgresExchangeRows.keyColumns) FROM user_exchanges e WHERE e.id = \(id)"
        ).first.map { try key(from: $0) }
    }

    /// Pending keys with their owners and reports, oldest first: all of them, or the one with `keyID`.
    func pendingRequests(keyID: Int64?) async throws -> [PendingRequest] {
        try await rows(
            """
            SELECT \(unescaped: PostgresExchangeRows.keyColumns), \(unescaped: users.columns()), v.report
            FROM user_exchanges e
            JOIN users u ON u.id = e.user_id
            LEFT JOIN exchange_bot_key_validation v ON v.exchange_id = e.id
            WHERE coalesce(upper(e.status), 'PENDING') = 'PENDING' AND (\(keyID)::bigint IS NULL OR e.id = \(keyID))
            ORDER BY e.id
            """
        ).map { row in
            PendingRequest(
                key: try key(from: row),
                owner: try PostgresExchangeRows.user(row),
                report: PostgresExchangeRows.report(try row["report"].decode(String?.self))
            )
        }
    }

    /// The key, its row locked until the transaction ends: every change to a key starts here, so two changes to
    /// one key (two admins deciding, a decision and an update) run one after the other, the second seeing the
    /// first's result.
    func lockedKey(id: Int64) async throws -> ExchangeKey? {
        try await rows(
            """
            SELECT \(unescaped: PostgresExchangeRows.keyColumns) FROM user_exchanges e WHERE e.id = \(id)
            FOR UPDATE OF e
            """
        ).first.map { try key(from: $0) }
    }

    /// A key this transaction wrote or read a moment ago.
    func requireKey(id: Int64) async throws -> ExchangeKey {
        guard let key = try await key(id: id) else {
            throw PostgresExchangeStoreError.missingRow(table: "user_exchanges")
        }
        return key
    }

    /// A row as a key, its API key opened if the Python side stored it as a Fernet token.
    func key(from row: PostgresRandomAccessRow) throws -> ExchangeKey {
        var key = try PostgresExchangeRows.key(row)
        key.apiKey = revealAPIKey(key.apiKey)
        return key
    }

    /// The API key in clear: newer seed versions store it as a Fernet token too (this service stores it in clear,
    /// as the schema documents).
    func revealAPIKey(_ stored: String) -> String {
        StoredCredentials.revealAPIKey(stored, with: ring)
    }

    /// Another key of this user on this exchange (or its alias) with the same API key, compared after opening API
    /// keys stored encrypted. The caller holds the user's lock (``lockUser(id:)``), so no other instance can add
    /// the same key between this check and its write.
    func duplicate(userID: Int64, credentials: Credentials, except id: Int64?) async throws -> Int64? {
        let names = credentials.exchange.storedNames
        let rows = try await rows(
            """
            SELECT id, api_key FROM user_exchanges WHERE user_id = \(userID) AND lower(exchange_name) = ANY(\(names))
            ORDER BY id
            """
        )
        for row in rows {
            let rowID = try row["id"].decode(Int64.self)
            if rowID != id, revealAPIKey(try row["api_key"].decode(String.self)) == credentials.apiKey { return rowID }
        }
        return nil
    }

    // MARK: - Validation reports and key versions

    /// Stores (or replaces) a key's report, as versioned JSON (``StoredJSON``).
    func saveReport(keyID: Int64, report: ValidationReport, at date: Date) async throws {
        let json = String(decoding: try StoredJSON.encode(report), as: UTF8.self)
        try await execute(
            """
            INSERT INTO exchange_bot_key_validation (exchange_id, report, checked_at)
            VALUES (\(keyID), \(json), \(PostgresExchangeRows.stored(date)))
            ON CONFLICT (exchange_id) DO UPDATE SET report = EXCLUDED.report, checked_at = EXCLUDED.checked_at
            """
        )
    }

    func report(keyID: Int64) async throws -> ValidationReport? {
        let json = try await rows("SELECT report FROM exchange_bot_key_validation WHERE exchange_id = \(keyID)")
            .first.map { try $0["report"].decode(String.self) }
        return PostgresExchangeRows.report(json)
    }

    /// Gives a row written by another system its credentials time (its `updated_at`, which its revision has
    /// followed so far) before this service changes `updated_at` for something else, so a rename or an activation
    /// keeps the revision.
    func pinVersion(keyID: Int64) async throws {
        try await execute(
            """
            INSERT INTO exchange_bot_key_versions (exchange_id, credentials_at)
            SELECT id, coalesce(updated_at, TIMESTAMP '1970-01-01 00:00:00') FROM user_exchanges WHERE id = \(keyID)
            ON CONFLICT (exchange_id) DO NOTHING
            """
        )
    }

    /// Records when a key's credentials were set: part of its ``ExchangeKey/revision``.
    func saveCredentialsTime(keyID: Int64, at date: Date) async throws {
        try await execute(
            """
            INSERT INTO exchange_bot_key_versions (exchange_id, credentials_at)
            VALUES (\(keyID), \(PostgresExchangeRows.stored(date)))
            ON CONFLICT (exchange_id) DO UPDATE SET credentials_at = EXCLUDED.credentials_at
            """
        )
    }

    func isHeld(keyID: Int64) async throws -> Bool {
        try await !rows("SELECT 1 FROM exchange_bot_key_holds WHERE exchange_id = \(keyID)").isEmpty
    }

    func liftHold(keyID: Int64) async throws {
        try await execute("DELETE FROM exchange_bot_key_holds WHERE exchange_id = \(keyID)")
    }
}

/// A row the store's own transaction just wrote or read is gone: the database is not what the store expects.
public enum PostgresExchangeStoreError: Error, Equatable {
    case missingRow(table: String)
}
