import ExchangeBotCore
import Foundation
import PostgresNIO

/// The email outbox on PostgreSQL (`exchange_bot_mail_outbox`): notices stored as ``StoredJSON`` (facts, never a
/// secret), each delivered at least once, independently of the Telegram outbox. Sent and given-up rows go with the
/// outbox's retention (``pruneOutbox(before:)``, `OUTBOX_RETENTION_DAYS`).
extension PostgresExchangeStore: MailOutbox {
    public func queueMail(_ notice: MailNotice, toUser userID: Int64, dedupeKey: String?, at date: Date) async throws {
        try await transaction { session in
            try await queueMail(session, notice, toUser: userID, dedupeKey: dedupeKey, at: date)
        }
    }

    /// Queues a mail in the caller's transaction; nothing when `dedupeKey` was used before.
    func queueMail(
        _ session: PostgresExchangeSession,
        _ notice: MailNotice,
        toUser userID: Int64,
        dedupeKey: String?,
        at date: Date
    ) async throws {
        let stamp = PostgresExchangeRows.stored(date)
        try await session.execute(
            """
            WITH queued AS (
                INSERT INTO exchange_bot_mail_outbox (user_id, notice, dedupe_key, created_at, retry_at)
                VALUES (\(userID), \(try StoredMail.encode(notice)), \(dedupeKey), \(stamp), \(stamp))
                ON CONFLICT (dedupe_key) DO NOTHING
                RETURNING 1
            )
            SELECT pg_notify(\(SharedQueueNotices.channel), \(database.notices.payload(for: .mail))) FROM queued
            """
        )
    }

    public func dueMail(limit: Int, at date: Date) async throws -> [QueuedMail] {
        let (due, unreadable) = try await read { session in
            let rows = try await session.rows(
                """
                SELECT m.id AS mail_id, m.user_id AS mail_user_id, m.notice, m.attempts::int8 AS attempts,
                    m.created_at AS mail_created_at,
                    \(unescaped: session.users.columns())
                FROM exchange_bot_mail_outbox m LEFT JOIN users u ON u.id = m.user_id
                WHERE m.sent_at IS NULL AND m.given_up_at IS NULL AND m.retry_at <= \(PostgresExchangeRows.stored(date))
                ORDER BY m.id LIMIT \(max(0, limit))
                """
            )
            var due = [QueuedMail]()
            var unreadable = [Int64]()
            for row in rows {
                let id = try row["mail_id"].decode(Int64.self)
                guard let notice = StoredMail.decode(try row["notice"].decode(String.self)) else {
                    unreadable.append(id)
                    continue
                }
                let user = try PostgresBotStore.user(row)
                due.append(
                    QueuedMail(
                        id: id,
                        notice: notice,
                        userID: try row["mail_user_id"].decode(Int64.self),
                        email: user?.email,
                        username: user?.username,
                        languageCode: user?.languageCode,
                        attempts: Int(try row["attempts"].decode(Int64.self)),
                        queuedAt: PostgresExchangeRows.date(try row["mail_created_at"].decode(Date?.self))
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
        try await read { session in
            let rows = try await session.rows(
                """
                SELECT min(retry_at) AS earliest FROM exchange_bot_mail_outbox
                WHERE sent_at IS NULL AND given_up_at IS NULL
                """
            )
            return PostgresExchangeRows.date(try rows.first?["earliest"].decode(Date?.self) ?? nil)
        }
    }

    public func markMailSent(id: Int64, at date: Date) async throws {
        try await transaction { session in
            try await session.execute(
                """
                UPDATE exchange_bot_mail_outbox SET sent_at = \(PostgresExchangeRows.stored(date)),
                    attempts = attempts + 1
                WHERE id = \(id) AND sent_at IS NULL
                """
            )
        }
    }

    public func retryMail(id: Int64, at retryAt: Date, error: String) async throws {
        try await transaction { session in
            try await session.execute(
                """
                UPDATE exchange_bot_mail_outbox SET retry_at = \(PostgresExchangeRows.stored(retryAt)),
                    attempts = attempts + 1, last_error = \(String(error.prefix(500)))
                WHERE id = \(id) AND sent_at IS NULL AND given_up_at IS NULL
                """
            )
        }
    }

    public func giveUpMail(id: Int64, at date: Date, error: String) async throws {
        try await transaction { session in
            try await session.execute(
                """
                UPDATE exchange_bot_mail_outbox SET given_up_at = \(PostgresExchangeRows.stored(date)),
                    attempts = attempts + 1, last_error = \(String(error.prefix(500)))
                WHERE id = \(id) AND sent_at IS NULL AND given_up_at IS NULL
                """
            )
        }
    }

    /// Deletes sent and given-up mail older than `date`; how many went.
    static func pruneMail(_ session: PostgresExchangeSession, before date: Date) async throws -> Int {
        try await session.rows(
            """
            DELETE FROM exchange_bot_mail_outbox WHERE sent_at < \(date) OR given_up_at < \(date) RETURNING id
            """
        ).count
    }
}

/// A notice as the mail outbox stores it: ``StoredJSON`` of an object holding it (an enum alone cannot carry the
/// format version beside its case). The same text as SQLite's.
struct StoredMail: Codable {
    var notice: MailNotice

    static func encode(_ notice: MailNotice) throws -> String {
        String(decoding: try StoredJSON.encode(StoredMail(notice: notice)), as: UTF8.self)
    }

    static func decode(_ text: String?) -> MailNotice? {
        text.flatMap { StoredJSON.decode(StoredMail.self, from: Data($0.utf8))?.notice }
    }
}
