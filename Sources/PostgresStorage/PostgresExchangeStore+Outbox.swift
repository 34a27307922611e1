import ExchangeBotCore
import Fernet
import Foundation
import PostgresNIO
import SealedRecords

/// The outbox (`exchange_bot_outbox`): key events written in the same transaction as the change they describe,
/// delivered afterwards.
///
/// As on SQLite, an event is stored sealed with the master key (a Fernet token of its ``StoredJSON``) and without
/// the owner's email; a row that cannot be read (damaged, sealed with a key this process lacks, or of a newer
/// format) is parked (`parked_at`), never in the way of the others, and comes back with
/// ``unparkReadableOutboxRows()`` once a process that reads it starts. Delivered and parked rows are pruned after
/// `OUTBOX_RETENTION_DAYS`.
extension PostgresExchangeStore: OutboxUpkeep {
    func enqueue(
        _ session: PostgresExchangeSession,
        kind: KeyEvent.Kind,
        key: ExchangeKey,
        decidedBy: Caller?,
        at date: Date
    ) async throws -> KeyEvent {
        guard let owner = try await session.user(id: key.userID) else { throw ApprovalError.userNotFound }
        var event = KeyEvent(outboxID: 0, kind: kind, key: key, owner: owner, decidedBy: decidedBy)
        let inserted = try await session.rows(
            """
            INSERT INTO exchange_bot_outbox (event, created_at)
            VALUES (\(try seal(event)), \(PostgresExchangeRows.stored(date))) RETURNING id
            """
        )
        guard let id = try inserted.first?["id"].decode(Int64.self) else {
            throw PostgresExchangeStoreError.missingRow(table: "exchange_bot_outbox")
        }
        event.outboxID = id
        return event
    }

    /// The stored form of an event (see ``SealedKeyEvent``).
    func seal(_ event: KeyEvent) throws -> String { try SealedKeyEvent.seal(event, with: ring) }

    func unseal(_ text: String) -> KeyEvent? { SealedKeyEvent.unseal(text, with: ring) }

    public func undeliveredBatch(limit: Int, at date: Date) async throws -> OutboxBatch {
        try await transaction { session in
            var batch = OutboxBatch(events: [])
            var after: Int64 = 0
            while batch.events.count < limit {
                let rows = try await session.rows(
                    """
                    SELECT id, event FROM exchange_bot_outbox
                    WHERE delivered_at IS NULL AND parked_at IS NULL AND id > \(after) ORDER BY id
                    LIMIT \(limit - batch.events.count)
                    """
                )
                guard let last = rows.last else { break }
                after = try last["id"].decode(Int64.self)
                for row in rows {
                    let id = try row["id"].decode(Int64.self)
                    if var event = unseal(try row["event"].decode(String.self)) {
                        event.outboxID = id
                        batch.events.append(event)
                    } else {
                        batch.parked.append(id)
                    }
                }
            }
            if !batch.parked.isEmpty {
                try await session.execute(
                    """
                    UPDATE exchange_bot_outbox SET parked_at = \(PostgresExchangeRows.stored(date))
                    WHERE id = ANY(\(batch.parked)) AND parked_at IS NULL
                    """
                )
            }
            return batch
        }
    }

    /// Up to `limit` undelivered events, oldest first (unreadable rows are parked on the way).
    public func undeliveredEvents(limit: Int) async throws -> [KeyEvent] {
        try await undeliveredBatch(limit: limit, at: Date()).events
    }

    public func markDelivered(outboxID: Int64, at date: Date) async throws {
        try await transaction { session in
            try await session.execute(
                """
                UPDATE exchange_bot_outbox SET delivered_at = \(PostgresExchangeRows.stored(date))
                WHERE id = \(outboxID)
                """
            )
        }
    }

    /// Deletes delivered (and parked) rows older than `date`, and sent (or given-up) mail of the email outbox.
    /// Returns how many rows went.
    @discardableResult
    public func pruneOutbox(before date: Date) async throws -> Int {
        let cutoff = PostgresExchangeRows.stored(date)
        return try await transaction { session in
            let events = try await session.rows(
                """
                DELETE FROM exchange_bot_outbox
                WHERE (delivered_at IS NOT NULL AND delivered_at < \(cutoff))
                    OR (parked_at IS NOT NULL AND parked_at < \(cutoff))
                RETURNING id
                """
            ).count
            return events + (try await Self.pruneMail(session, before: cutoff))
        }
    }

    /// Returns to the queue the undelivered rows that were parked but now open (a `rotate-key` run elsewhere with a
    /// key this process did not have yet looks like an unreadable row until the process restarts with it).
    /// Returns how many came back.
    @discardableResult
    public func unparkReadableOutboxRows() async throws -> Int {
        try await transaction { session in
            let rows = try await session.rows(
                "SELECT id, event FROM exchange_bot_outbox WHERE parked_at IS NOT NULL AND delivered_at IS NULL"
            )
            var readable: [Int64] = []
            for row in rows where unseal(try row["event"].decode(String.self)) != nil {
                readable.append(try row["id"].decode(Int64.self))
            }
            if !readable.isEmpty {
                try await session.execute("UPDATE exchange_bot_outbox SET parked_at = NULL WHERE id = ANY(\(readable))")
            }
            return readable.count
        }
    }

    /// Seals rows stored in clear JSON (this store never writes any; a row someone copied over from an older SQLite
    /// outbox would be). Returns how many were sealed.
    @discardableResult
    public func sealLegacyOutboxRows() async throws -> Int {
        try await transaction { session in
            let rows = try await session.rows("SELECT id, event FROM exchange_bot_outbox WHERE event LIKE '{%'")
            var sealed = 0
            for row in rows {
                guard let event = unseal(try row["event"].decode(String.self)) else { continue }
                try await session.execute(
                    "UPDATE exchange_bot_outbox SET event = \(try seal(event)) WHERE id = \(try row["id"].decode(Int64.self))"
                )
                sealed += 1
            }
            return sealed
        }
    }
}
