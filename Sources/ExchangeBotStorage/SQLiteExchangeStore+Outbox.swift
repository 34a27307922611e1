import ExchangeBotCore
import Fernet
import Foundation
import GRDB
import SealedRecords

/// The outbox: key events written in the same transaction as the change they describe, delivered afterwards.
///
/// An event is stored sealed with the master key (a Fernet token of its JSON) and without the owner's email: it
/// holds a key's label and API key, which the Python side may keep encrypted. Rows written in clear JSON by
/// earlier versions are still read, and ``sealLegacyOutboxRows()`` seals them. A row that cannot be read is
/// parked (`parked_at`), never retried and never in the way of the others; delivered rows are pruned after
/// `OUTBOX_RETENTION_DAYS`. An event of a newer format than this build knows is parked too, and comes back with
/// ``unparkReadableOutboxRows()`` once a build that reads it starts.
extension SQLiteExchangeStore {
    func enqueue(_ db: Database, kind: KeyEvent.Kind, key: ExchangeKey, decidedBy: Caller?, at date: Date) throws
        -> KeyEvent
    {
        guard let owner = try self.users.fetch(db, id: key.userID) else { throw ApprovalError.userNotFound }
        var event = KeyEvent(outboxID: 0, kind: kind, key: key, owner: owner, decidedBy: decidedBy)
        try db.execute(
            sql: "INSERT INTO outbox (event, created_at) VALUES (?, ?)",
            arguments: [try seal(event), DatabaseDate.format(date)]
        )
        event.outboxID = db.lastInsertedRowID
        return event
    }

    /// The stored form of an event (see ``SealedKeyEvent``).
    func seal(_ event: KeyEvent) throws -> String { try SealedKeyEvent.seal(event, with: ring) }

    func unseal(_ text: String) -> KeyEvent? { SealedKeyEvent.unseal(text, with: ring) }

    public func undeliveredBatch(limit: Int, at date: Date) async throws -> OutboxBatch {
        // Read first (the relay asks often, and there is usually nothing to park); write only to park.
        let batch = try await writer.read { db in
            var batch = OutboxBatch(events: [])
            var after: Int64 = 0
            while batch.events.count < limit {
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT id, event FROM outbox
                        WHERE delivered_at IS NULL AND parked_at IS NULL AND id > ? ORDER BY id LIMIT ?
                        """,
                    arguments: [after, limit - batch.events.count]
                )
                guard let last = rows.last else { break }
                after = last["id"]
                for row in rows {
                    if var event = (row["event"] as String?).flatMap(self.unseal) {
                        event.outboxID = row["id"]
                        batch.events.append(event)
                    } else {
                        batch.parked.append(row["id"])
                    }
                }
            }
            return batch
        }
        if !batch.parked.isEmpty {
            try await writer.write { db in
                for id in batch.parked {
                    try db.execute(
                        sql: "UPDATE outbox SET parked_at = ? WHERE id = ? AND parked_at IS NULL",
                        arguments: [DatabaseDate.format(date), id]
                    )
                }
            }
        }
        return batch
    }

    /// Up to `limit` undelivered events, oldest first (unreadable rows are parked on the way).
    public func undeliveredEvents(limit: Int) async throws -> [KeyEvent] {
        try await undeliveredBatch(limit: limit, at: Date()).events
    }

    public func markDelivered(outboxID: Int64, at date: Date) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE outbox SET delivered_at = ? WHERE id = ?",
                arguments: [DatabaseDate.format(date), outboxID]
            )
        }
    }

    /// Deletes delivered (and parked) rows older than `date`, and sent (or given-up) mail of the email outbox.
    /// Returns how many rows went.
    @discardableResult
    public func pruneOutbox(before date: Date) async throws -> Int {
        let cutoff = DatabaseDate.format(date)
        return try await writer.write { db in
            try db.execute(
                sql: """
                    DELETE FROM outbox WHERE (delivered_at IS NOT NULL AND delivered_at < ?)
                        OR (parked_at IS NOT NULL AND parked_at < ?)
                    """,
                arguments: [cutoff, cutoff]
            )
            let events = db.changesCount
            return events + (try Self.pruneMail(db, before: cutoff))
        }
    }

    /// Returns to the queue the undelivered rows that were parked but now open: a row is parked when this
    /// process's master keys cannot open it, which is also what a `rotate-key` run elsewhere with a key this
    /// process did not have yet looks like. Once the process runs with the right keys (at its next start), those
    /// notifications go out instead of being lost. Returns how many came back.
    @discardableResult
    public func unparkReadableOutboxRows() async throws -> Int {
        try await writer.write { db in
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT id, event FROM outbox WHERE parked_at IS NOT NULL AND delivered_at IS NULL"
            )
            var unparked = 0
            for row in rows where (row["event"] as String?).flatMap(self.unseal) != nil {
                try db.execute(sql: "UPDATE outbox SET parked_at = NULL WHERE id = ?", arguments: [row["id"] as Int64])
                unparked += 1
            }
            return unparked
        }
    }

    /// Seals rows an earlier version wrote in clear JSON (delivered ones too, until they are pruned). Returns how
    /// many were sealed.
    @discardableResult
    public func sealLegacyOutboxRows() async throws -> Int {
        try await writer.write { db in
            let rows = try Row.fetchAll(db, sql: "SELECT id, event FROM outbox WHERE event LIKE '{%'")
            var sealed = 0
            for row in rows {
                guard let event = self.unseal(row["event"]) else { continue }
                try db.execute(
                    sql: "UPDATE outbox SET event = ? WHERE id = ?",
                    arguments: [try self.seal(event), row["id"] as Int64]
                )
                sealed += 1
            }
            return sealed
        }
    }
}

extension SQLiteExchangeStore: OutboxUpkeep {}
