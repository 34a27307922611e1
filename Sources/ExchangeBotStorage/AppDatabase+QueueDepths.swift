import ExchangeBotCore
import GRDB

extension AppDatabase {
    /// Each queue's waiting rows, in one read (every count is served by a partial index or a small table).
    public func queueDepths() async throws -> QueueDepths {
        try await writer.read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT (SELECT COUNT(*) FROM bot_inbox WHERE parked_at IS NULL),
                           (SELECT COUNT(*) FROM bot_outgoing WHERE finished_at IS NULL),
                           (SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND parked_at IS NULL),
                           (SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL AND given_up_at IS NULL)
                    """
            )
            return QueueDepths(
                inbox: row?[0] ?? 0,
                outgoing: row?[1] ?? 0,
                eventOutbox: row?[2] ?? 0,
                mailOutbox: row?[3] ?? 0
            )
        }
    }
}
