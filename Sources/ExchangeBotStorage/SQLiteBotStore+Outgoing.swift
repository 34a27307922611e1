import BotConversation
import ExchangeBotCore
import Foundation
import GRDB

/// The outgoing queue: each lane's head, how a call ended, and the admin-group messages remembered for later.
extension SQLiteBotStore {
    // MARK: - Outgoing

    public func nextOutgoing(limit: Int, excludingLanes busyLanes: Set<Int64>) async throws -> [QueuedOutgoing] {
        // Only each lane's head is read and decoded: a long queue for one chat (the admin group, at 20 a minute)
        // costs nothing while it waits.
        let rows = try await writer.read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT o.id, o.lane, o.action, u.telegram_id IS NOT NULL AS unreachable FROM bot_outgoing o
                        JOIN (SELECT min(id) AS id FROM bot_outgoing WHERE finished_at IS NULL GROUP BY lane) head
                            ON o.id = head.id
                        LEFT JOIN bot_unreachable u ON o.lane > 0 AND u.telegram_id = o.lane
                        ORDER BY o.id LIMIT ?
                        """
                ),
                arguments: [limit + busyLanes.count]
            ).map {
                // By position, as selected: the queue is read at every wake, and a lookup by name costs more.
                (id: $0[0] as Int64, lane: $0[1] as Int64, json: $0[2] as String, unreachable: $0[3] as Bool)
            }
        }
        let decoder = JSONDecoder()
        var next = [QueuedOutgoing]()
        var unreadable = [Int64]()
        for row in rows.filter({ !busyLanes.contains($0.lane) }).prefix(limit) {
            if let action = try? decoder.decode(OutgoingAction.self, from: Data(row.json.utf8)) {
                next.append(QueuedOutgoing(id: row.id, action: action, recipientUnreachable: row.unreachable))
            } else {
                unreadable.append(row.id)
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
        let stamp = DatabaseDate.format(Date())
        let summary =
            switch result {
            case .sent(let posted): posted.map { "sent \($0.chatID)/\($0.messageID)" } ?? "sent"
            case .abandoned(let reason): "abandoned: \(reason)"
            }
        try await writer.write { db in
            switch record {
            case .nothing: break
            case .remember(let posted, let purpose): try Self.remember(db, posted, purpose: purpose, at: stamp)
            case .forgetChecking(let chatID): try Self.forgetChecking(db, chatID: chatID)
            }
            try db.cachedStatement(
                sql: "UPDATE bot_outgoing SET finished_at = ?, result = ? WHERE id = ? AND finished_at IS NULL"
            ).execute(arguments: [stamp, String(summary.prefix(500)), id])
        }
    }

    static func remember(_ db: Database, _ posted: PostedMessage, purpose: OutgoingMessage.Purpose, at: String)
        throws
    {
        let (name, keyID, revision, admin): (String, Int64, String?, Int64?)
        switch purpose {
        case .plain: return
        case .checking:
            // One per chat, the latest: a check that never got its verdict leaves nothing behind to edit. It
            // belongs to no key yet (0: no key has that id).
            try forgetChecking(db, chatID: posted.chatID)
            (name, keyID, revision, admin) = ("checking", 0, nil, nil)
        case .adminRequest(let id): (name, keyID, revision, admin) = ("request", id, nil, nil)
        case .reasonPrompt(let id, let version, let asked):
            (name, keyID, revision, admin) = ("reason", id, version, asked)
        }
        try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO bot_posted (chat_id, message_id, purpose, key_id, text, revision, admin_id,
                    created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [posted.chatID, posted.messageID, name, keyID, posted.text, revision, admin, at])
    }

    static func forgetChecking(_ db: Database, chatID: Int64) throws {
        try db.cachedStatement(sql: "DELETE FROM bot_posted WHERE chat_id = ? AND purpose = 'checking'")
            .execute(arguments: [chatID])
    }

    public func checkingMessage(chatID: Int64) async throws -> PostedMessage? {
        try await writer.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT chat_id, message_id, text FROM bot_posted WHERE chat_id = ? AND purpose = 'checking'
                    ORDER BY created_at DESC, message_id DESC LIMIT 1
                    """,
                arguments: [chatID]
            ).map { PostedMessage(chatID: $0["chat_id"], messageID: $0["message_id"], text: $0["text"]) }
        }
    }

    public func requestMessages(ofKey keyID: Int64) async throws -> [PostedMessage] {
        try await postedMessages(ofKey: keyID, purpose: "request")
    }

    public func reasonPrompts(ofKey keyID: Int64) async throws -> [PostedMessage] {
        try await postedMessages(ofKey: keyID, purpose: "reason")
    }

    private func postedMessages(ofKey keyID: Int64, purpose: String) async throws -> [PostedMessage] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT chat_id, message_id, text FROM bot_posted WHERE key_id = ? AND purpose = ?
                    ORDER BY created_at
                    """,
                arguments: [keyID, purpose]
            ).map { PostedMessage(chatID: $0["chat_id"], messageID: $0["message_id"], text: $0["text"]) }
        }
    }

    public func reasonPrompt(chatID: Int64, messageID: Int) async throws -> ReasonPrompt? {
        try await writer.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT key_id, revision, admin_id FROM bot_posted
                    WHERE chat_id = ? AND message_id = ? AND purpose = 'reason'
                    """,
                arguments: [chatID, messageID]
            ).map { ReasonPrompt(keyID: $0["key_id"], revision: $0["revision"], admin: $0["admin_id"]) }
        }
    }
}
