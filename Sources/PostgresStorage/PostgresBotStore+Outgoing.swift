import BotConversation
import ExchangeBotCore
import Foundation
import Logging
import PostgresNIO

/// The outgoing queue: each lane's head, how a call ended, and the admin-group messages remembered for later.
extension PostgresBotStore {
    // MARK: - Outgoing

    public func nextOutgoing(limit: Int, excludingLanes busyLanes: Set<Int64>) async throws -> [QueuedOutgoing] {
        // Only each lane's head is read and decoded: a long queue for one chat (the admin group, at 20 a minute)
        // costs nothing while it waits. Busy lanes are left out in SQL, so `limit` counts only what may go.
        let rows = try await database.query(
            """
            SELECT o.id, o.lane, o.action, u.telegram_id IS NOT NULL AS unreachable FROM exchange_bot_outgoing o
            JOIN (
                SELECT min(id) AS id FROM exchange_bot_outgoing
                WHERE finished_at IS NULL AND NOT (lane = ANY(\(Array(busyLanes))::BIGINT[]))
                GROUP BY lane
            ) head ON o.id = head.id
            LEFT JOIN exchange_bot_unreachable u ON o.lane > 0 AND u.telegram_id = o.lane
            ORDER BY o.id LIMIT \(max(limit, 0))
            """
        )
        let decoder = JSONDecoder()
        var next = [QueuedOutgoing]()
        var unreadable = [Int64]()
        for try await (id, _, json, unreachable) in rows.decode((Int64, Int64, String, Bool).self) {
            if let action = try? decoder.decode(OutgoingAction.self, from: Data(json.utf8)) {
                next.append(QueuedOutgoing(id: id, action: action, recipientUnreachable: unreachable))
            } else {
                unreadable.append(id)
            }
        }
        // A row this version cannot read (written by a newer one) would block its lane for good: set it aside.
        for id in unreadable {
            try await finish(id, result: .abandoned("unreadable by this version"), record: .nothing)
        }
        if !unreadable.isEmpty && next.count < limit {
            // Their lanes have new heads now: read those too, rather than leave them for a later wake.
            let taken = busyLanes.union(next.map(\.lane))
            return next + (try await nextOutgoing(limit: limit - next.count, excludingLanes: taken))
        }
        return next
    }

    public func finishOutgoing(_ row: QueuedOutgoing, result: OutgoingResult) async throws {
        try await finish(row.id, result: result, record: row.record(of: result))
    }

    private func finish(_ id: Int64, result: OutgoingResult, record: SentRecord) async throws {
        let now = Date()
        let summary =
            switch result {
            case .sent(let posted): posted.map { "sent \($0.chatID)/\($0.messageID)" } ?? "sent"
            case .abandoned(let reason): "abandoned: \(reason)"
            }
        try await database.transaction { connection in
            switch record {
            case .nothing:
                break
            case .remember(let posted, let purpose):
                try await Self.remember(posted, purpose: purpose, at: now, on: connection, logger: logger)
            case .forgetChecking(let chatID):
                try await Self.forgetChecking(chatID: chatID, on: connection, logger: logger)
            }
            try await Self.run(
                """
                UPDATE exchange_bot_outgoing SET finished_at = \(now), result = \(String(summary.prefix(500)))
                WHERE id = \(id) AND finished_at IS NULL
                """,
                on: connection,
                logger: logger
            )
        }
    }

    private static func forgetChecking(chatID: Int64, on connection: PostgresConnection, logger: Logger)
        async throws
    {
        try await run(
            "DELETE FROM exchange_bot_posted_messages WHERE chat_id = \(chatID) AND purpose = 'checking'",
            on: connection,
            logger: logger
        )
    }

    private static func remember(
        _ posted: PostedMessage,
        purpose: OutgoingMessage.Purpose,
        at date: Date,
        on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        let (name, keyID, revision, admin): (String, Int64, String?, Int64?)
        switch purpose {
        case .plain: return
        case .checking:
            // One per chat, the latest: a check that never got its verdict leaves nothing behind to edit. It
            // belongs to no key yet (0: no key has that id).
            try await forgetChecking(chatID: posted.chatID, on: connection, logger: logger)
            (name, keyID, revision, admin) = ("checking", 0, nil, nil)
        case .adminRequest(let id): (name, keyID, revision, admin) = ("request", id, nil, nil)
        case .reasonPrompt(let id, let version, let asked):
            (name, keyID, revision, admin) = ("reason", id, version, asked)
        }
        try await run(
            """
            INSERT INTO exchange_bot_posted_messages
                (chat_id, message_id, purpose, key_id, text, revision, admin_id, created_at)
            VALUES (\(posted.chatID), \(Int64(posted.messageID)), \(name), \(keyID), \(posted.text), \(revision),
                \(admin), \(date))
            ON CONFLICT (chat_id, message_id) DO UPDATE SET purpose = EXCLUDED.purpose, key_id = EXCLUDED.key_id,
                text = EXCLUDED.text, revision = EXCLUDED.revision, admin_id = EXCLUDED.admin_id,
                created_at = EXCLUDED.created_at
            """,
            on: connection,
            logger: logger
        )
    }

    public func requestMessages(ofKey keyID: Int64) async throws -> [PostedMessage] {
        try await postedMessages(ofKey: keyID, purpose: "request")
    }

    public func reasonPrompts(ofKey keyID: Int64) async throws -> [PostedMessage] {
        try await postedMessages(ofKey: keyID, purpose: "reason")
    }

    private func postedMessages(ofKey keyID: Int64, purpose: String) async throws -> [PostedMessage] {
        let rows = try await database.query(
            """
            SELECT chat_id, message_id, text FROM exchange_bot_posted_messages
            WHERE key_id = \(keyID) AND purpose = \(purpose)
            ORDER BY created_at, chat_id, message_id
            """
        )
        var messages = [PostedMessage]()
        for try await (chatID, messageID, text) in rows.decode((Int64, Int64, String).self) {
            messages.append(PostedMessage(chatID: chatID, messageID: Int(messageID), text: text))
        }
        return messages
    }

    public func checkingMessage(chatID: Int64) async throws -> PostedMessage? {
        let rows = try await database.query(
            """
            SELECT chat_id, message_id, text FROM exchange_bot_posted_messages
            WHERE chat_id = \(chatID) AND purpose = 'checking'
            ORDER BY created_at DESC, message_id DESC LIMIT 1
            """
        )
        for try await (chatID, messageID, text) in rows.decode((Int64, Int64, String).self) {
            return PostedMessage(chatID: chatID, messageID: Int(messageID), text: text)
        }
        return nil
    }

    public func reasonPrompt(chatID: Int64, messageID: Int) async throws -> ReasonPrompt? {
        let rows = try await database.query(
            """
            SELECT key_id, revision, admin_id FROM exchange_bot_posted_messages
            WHERE chat_id = \(chatID) AND message_id = \(Int64(messageID)) AND purpose = 'reason'
            """
        )
        for try await (keyID, revision, admin) in rows.decode((Int64, String?, Int64?).self) {
            return ReasonPrompt(keyID: keyID, revision: revision, admin: admin)
        }
        return nil
    }
}
