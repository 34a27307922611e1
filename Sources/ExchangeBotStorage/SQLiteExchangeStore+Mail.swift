import ExchangeBotCore
import Foundation
import GRDB

/// The email outbox on SQLite (`mail_outbox`): notices stored as ``StoredJSON`` (facts, never a secret), each
/// delivered at least once, independently of the Telegram outbox. Sent and given-up rows go with the outbox's
/// retention (``pruneOutbox(before:)``, `OUTBOX_RETENTION_DAYS`).
extension SQLiteExchangeStore: MailOutbox {
    public func queueMail(_ notice: MailNotice, toUser userID: Int64, dedupeKey: String?, at date: Date) async throws {
        try await writer.write { db in
            try self.queueMail(db, notice, toUser: userID, dedupeKey: dedupeKey, at: date)
        }
    }

    /// Queues a mail in the caller's transaction; nothing when `dedupeKey` was used before.
    func queueMail(_ db: Database, _ notice: MailNotice, toUser userID: Int64, dedupeKey: String?, at date: Date)
        throws
    {
        let stamp = DatabaseDate.format(date)
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO mail_outbox (user_id, notice, dedupe_key, created_at, retry_at)
                VALUES (?, ?, ?, ?, ?)
                """,
            arguments: [userID, try StoredMail.encode(notice), dedupeKey, stamp, stamp]
        )
    }

    public func dueMail(limit: Int, at date: Date) async throws -> [QueuedMail] {
        let (due, unreadable) = try await writer.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT m.id, m.user_id, m.notice, m.attempts, m.created_at, \(self.users.columns())
                    FROM mail_outbox m
                    LEFT JOIN users u ON u.id = m.user_id
                    WHERE m.sent_at IS NULL AND m.given_up_at IS NULL AND m.retry_at <= ?
                    ORDER BY m.id LIMIT ?
                    """,
                arguments: [DatabaseDate.format(date), max(0, limit)]
            )
            var due = [QueuedMail]()
            var unreadable = [Int64]()
            for row in rows {
                guard let notice = StoredMail.decode(row["notice"]) else {
                    unreadable.append(row["id"])
                    continue
                }
                let found = (row["u_id"] as Int64?) != nil
                let user = found ? RowMapping.user(row) : nil
                due.append(
                    QueuedMail(
                        id: row["id"],
                        notice: notice,
                        userID: row["user_id"],
                        email: user?.email,
                        username: user?.username,
                        languageCode: user?.languageCode,
                        attempts: row["attempts"],
                        queuedAt: RowMapping.date(row["created_at"])
                    )
                )
            }
            return (due, unreadable)
        }
        // A notice this build cannot read (written by a newer one) would come back for ever: give it up.
        for id in unreadable { try await giveUpMail(id: id, at: date, error: "unreadable by this version") }
        return due
    }

    public func nextMailDue() async throws -> Date? {
        try await writer.read { db in
            let earliest = try DatabaseValue.fetchOne(
                db,
                sql: "SELECT min(retry_at) FROM mail_outbox WHERE sent_at IS NULL AND given_up_at IS NULL"
            )
            return earliest.flatMap(RowMapping.date)
        }
    }

    public func markMailSent(id: Int64, at date: Date) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE mail_outbox SET sent_at = ?, attempts = attempts + 1 WHERE id = ? AND sent_at IS NULL",
                arguments: [DatabaseDate.format(date), id]
            )
        }
    }

    public func retryMail(id: Int64, at retryAt: Date, error: String) async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    UPDATE mail_outbox SET retry_at = ?, attempts = attempts + 1, last_error = ?
                    WHERE id = ? AND sent_at IS NULL AND given_up_at IS NULL
                    """,
                arguments: [DatabaseDate.format(retryAt), String(error.prefix(500)), id]
            )
        }
    }

    public func giveUpMail(id: Int64, at date: Date, error: String) async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    UPDATE mail_outbox SET given_up_at = ?, attempts = attempts + 1, last_error = ?
                    WHERE id = ? AND sent_at IS NULL AND given_up_at IS NULL
                    """,
                arguments: [DatabaseDate.format(date), String(error.prefix(500)), id]
            )
        }
    }

    /// Deletes sent and given-up mail older than `cutoff` (text in ``DatabaseDate``'s format); how many went.
    static func pruneMail(_ db: Database, before cutoff: String) throws -> Int {
        try db.execute(
            sql: "DELETE FROM mail_outbox WHERE sent_at < ? OR given_up_at < ?",
            arguments: [cutoff, cutoff]
        )
        return db.changesCount
    }
}

/// A notice as the mail outbox stores it: ``StoredJSON`` of an object holding it (an enum alone cannot carry the
/// format version beside its case).
struct StoredMail: Codable {
    var notice: MailNotice

    static func encode(_ notice: MailNotice) throws -> String {
        String(decoding: try StoredJSON.encode(StoredMail(notice: notice)), as: UTF8.self)
    }

    static func decode(_ text: String?) -> MailNotice? {
        text.flatMap { StoredJSON.decode(StoredMail.self, from: Data($0.utf8))?.notice }
    }
}
