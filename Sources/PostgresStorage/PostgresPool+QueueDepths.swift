import ExchangeBotCore
import PostgresNIO

extension PostgresPool {
    /// Each queue's waiting rows, in one query (every count is served by a partial index or a small table).
    public func queueDepths() async throws -> QueueDepths {
        let rows = try await query(
            """
            SELECT (SELECT COUNT(*) FROM exchange_bot_updates WHERE parked_at IS NULL),
                   (SELECT COUNT(*) FROM exchange_bot_outgoing WHERE finished_at IS NULL),
                   (SELECT COUNT(*) FROM exchange_bot_outbox WHERE delivered_at IS NULL AND parked_at IS NULL),
                   (SELECT COUNT(*) FROM exchange_bot_mail_outbox WHERE sent_at IS NULL AND given_up_at IS NULL)
            """
        )
        for try await (inbox, outgoing, events, mail) in rows.decode((Int64, Int64, Int64, Int64).self) {
            return QueueDepths(
                inbox: Int(inbox),
                outgoing: Int(outgoing),
                eventOutbox: Int(events),
                mailOutbox: Int(mail)
            )
        }
        return QueueDepths(inbox: 0, outgoing: 0, eventOutbox: 0, mailOutbox: 0)
    }
}
