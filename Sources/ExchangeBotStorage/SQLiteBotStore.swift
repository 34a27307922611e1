import BotConversation
import ExchangeBotCore
import Fernet
import Foundation
import GRDB

/// The ``BotStore`` on SQLite, in the same database file as the keys.
///
/// Received updates and conversation states are sealed with the master key ring's primary key before they reach
/// SQL (a user's message or draft can be an API secret); ``MasterKeyRotation`` re-seals them with the keys.
/// Queued actions hold rendered texts only, which never contain a secret.
public struct SQLiteBotStore: BotStore {
    public let database: AppDatabase
    private let ring: MultiFernet

    public init(database: AppDatabase, ring: MultiFernet) {
        self.database = database
        self.ring = ring
    }

    private var writer: any DatabaseWriter { database.writer }

    /// Names in `bot_state`.
    private enum StateName {
        static let nextOffset = "telegram.next_offset"
        /// `<configured id>:<new id>`: the group `ADMIN_CHAT_ID` named, and where Telegram moved it.
        static let adminChatMigration = "telegram.admin_chat_migration"
    }

    // MARK: - Updates

    public func nextOffset() async throws -> Int64? {
        try await writer.read { db in try Self.stateValue(db, StateName.nextOffset).flatMap { Int64($0) } }
    }

    public func receive(_ updates: [ReceivedUpdate], nextOffset: Int64) async throws {
        let now = DatabaseDate.format(Date())
        let sealed = updates.map { (id: $0.id, token: ring.encrypt($0.payload)) }
        try await writer.write { db in
            let statement = try db.cachedStatement(
                sql: "INSERT OR IGNORE INTO bot_inbox (update_id, payload, received_at) VALUES (?, ?, ?)"
            )
            for update in sealed {
                try statement.execute(arguments: [update.id, update.token, now])
            }
            try Self.setState(db, StateName.nextOffset, String(nextOffset))
        }
    }

    public func unhandledUpdates() async throws -> (updates: [ReceivedUpdate], dropped: [Int64]) {
        let rows = try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT update_id, payload FROM bot_inbox WHERE parked_at IS NULL ORDER BY update_id"
            ).map { (id: $0["update_id"] as Int64, token: $0["payload"] as String) }
        }
        var updates = [ReceivedUpdate]()
        var unreadable = [Int64]()
        for row in rows {
            if let payload = try? ring.decrypt(row.token) {
                updates.append(ReceivedUpdate(id: row.id, payload: payload))
            } else {
                unreadable.append(row.id)
            }
        }
        // An update no configured key opens can never be handled (and would stop rotate-key for good).
        if !unreadable.isEmpty {
            let ids = unreadable
            try await writer.write { db in
                for id in ids { try db.execute(sql: "DELETE FROM bot_inbox WHERE update_id = ?", arguments: [id]) }
            }
        }
        return (updates, unreadable)
    }

    public func beginOutsideEffect(updateID: Int64) async throws -> Bool {
        try await writer.write { db in
            try db.execute(
                sql: """
                    UPDATE bot_inbox SET outside_effect_started = 1
                    WHERE update_id = ? AND NOT outside_effect_started
                    """,
                arguments: [updateID]
            )
            // Nothing changed: marked before, or no longer in the inbox at all (handled: a repeat either way).
            return db.changesCount == 0
        }
    }

    public func park(updateID: Int64, at date: Date) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE bot_inbox SET parked_at = ? WHERE update_id = ?",
                arguments: [DatabaseDate.format(date), updateID]
            )
        }
    }

    // MARK: - Conversations

    public func conversation(ofUser telegramID: Int64) async throws -> ConversationState? {
        let token = try await writer.read { db in
            try String.fetchOne(
                db.cachedStatement(sql: "SELECT state FROM bot_conversations WHERE telegram_id = ?"),
                arguments: [telegramID]
            )
        }
        return token.flatMap(open)
    }

    public func conversationsAwaitingService() async throws -> [(telegramID: Int64, state: ConversationState)] {
        let rows = try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT telegram_id, state FROM bot_conversations WHERE awaiting_service ORDER BY updated_at"
            ).map { (id: $0["telegram_id"] as Int64, token: $0["state"] as String) }
        }
        return rows.compactMap { row in open(row.token).map { (row.id, $0) } }
    }

    private func open(_ token: String) -> ConversationState? {
        guard let data = try? ring.decrypt(token) else { return nil }
        return try? JSONDecoder().decode(ConversationState.self, from: data)
    }

    // MARK: - Commit

    public func commit(_ commit: BotCommit) async throws {
        let now = Date()
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let states = try commit.conversations.map { id, state in
            (id: id, token: ring.encrypt(try encoder.encode(state)), awaiting: state.pendingSubmission != nil)
        }
        let actions = try commit.outgoing.map {
            (
                json: String(decoding: try encoder.encode($0.action), as: UTF8.self), dedupe: $0.dedupeKey,
                lane: $0.action.lane, keyID: $0.action.keyID, closes: $0.action.closesRequests
            )
        }
        let stamp = DatabaseDate.format(now)
        try await writer.write { db in
            if let id = commit.handledUpdateID {
                try db.execute(sql: "DELETE FROM bot_inbox WHERE update_id = ?", arguments: [id])
            }
            for state in states {
                try db.execute(
                    sql: """
                        INSERT INTO bot_conversations (telegram_id, state, awaiting_service, updated_at)
                        VALUES (?, ?, ?, ?)
                        ON CONFLICT(telegram_id) DO UPDATE SET state = excluded.state,
                            awaiting_service = excluded.awaiting_service, updated_at = excluded.updated_at
                        """,
                    arguments: [state.id, state.token, state.awaiting, stamp]
                )
            }
            let insert = try db.cachedStatement(
                sql: """
                    INSERT OR IGNORE INTO bot_outgoing (lane, key_id, action, dedupe_key, created_at)
                    VALUES (?, ?, ?, ?, ?)
                    """
            )
            for action in actions {
                if action.closes, let keyID = action.keyID {
                    // A key decided before its request (or reason prompt) went out: the request would only be
                    // stale. One already in flight is still remembered when it lands, and closed after it.
                    try db.execute(
                        sql: """
                            UPDATE bot_outgoing SET finished_at = ?, result = 'abandoned: decided before it was posted'
                            WHERE key_id = ? AND finished_at IS NULL
                            """,
                        arguments: [stamp, keyID]
                    )
                }
                try insert.execute(arguments: [action.lane, action.keyID, action.json, action.dedupe, stamp])
            }
            if let language = commit.language {
                try db.execute(
                    sql: "UPDATE users SET language_code = ? WHERE telegram_id = ?",
                    arguments: [language.code, language.telegramID]
                )
            }
        }
    }

    // MARK: - Outgoing

    public func nextOutgoing(limit: Int, excludingLanes busyLanes: Set<Int64>) async throws -> [QueuedOutgoing] {
        // Only each lane's head is read and decoded: a long queue for one chat (the admin group, at 20 a minute)
        // costs nothing while it waits.
        let rows = try await writer.read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT o.id, o.lane, o.action FROM bot_outgoing o
                        JOIN (SELECT min(id) AS id FROM bot_outgoing WHERE finished_at IS NULL GROUP BY lane) head
                            ON o.id = head.id
                        ORDER BY o.id LIMIT ?
                        """
                ),
                arguments: [limit + busyLanes.count]
            ).map { (id: $0["id"] as Int64, lane: $0["lane"] as Int64, json: $0["action"] as String) }
        }
        let decoder = JSONDecoder()
        var next = [QueuedOutgoing]()
        var unreadable = [Int64]()
        for row in rows.filter({ !busyLanes.contains($0.lane) }).prefix(limit) {
            if let action = try? decoder.decode(OutgoingAction.self, from: Data(row.json.utf8)) {
                next.append(QueuedOutgoing(id: row.id, action: action))
            } else {
                unreadable.append(row.id)
            }
        }
        // A row this version cannot read (written by a newer one) would block its lane for good: set it aside.
        for id in unreadable {
            try await finishOutgoing(id, result: .abandoned("unreadable by this version"))
        }
        return next
    }

    public func finishOutgoing(_ id: Int64, result: OutgoingResult) async throws {
        let stamp = DatabaseDate.format(Date())
        try await writer.write { db in
            let summary: String
            switch result {
            case .sent(let posted):
                summary = posted.map { "sent \($0.chatID)/\($0.messageID)" } ?? "sent"
                if let posted,
                    let json = try String.fetchOne(
                        db,
                        sql: "SELECT action FROM bot_outgoing WHERE id = ?",
                        arguments: [id]
                    ),
                    case .send(let message)? = try? JSONDecoder().decode(OutgoingAction.self, from: Data(json.utf8))
                {
                    try Self.remember(db, posted, purpose: message.purpose, at: stamp)
                }
            case .abandoned(let reason):
                summary = "abandoned: \(reason)"
            }
            try db.execute(
                sql: "UPDATE bot_outgoing SET finished_at = ?, result = ? WHERE id = ? AND finished_at IS NULL",
                arguments: [stamp, String(summary.prefix(500)), id]
            )
        }
    }

    private static func remember(_ db: Database, _ posted: PostedMessage, purpose: OutgoingMessage.Purpose, at: String)
        throws
    {
        let (name, keyID, revision): (String, Int64, String?)
        switch purpose {
        case .plain: return
        case .adminRequest(let id): (name, keyID, revision) = ("request", id, nil)
        case .reasonPrompt(let id, let version): (name, keyID, revision) = ("reason", id, version)
        }
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO bot_posted (chat_id, message_id, purpose, key_id, text, revision, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [posted.chatID, posted.messageID, name, keyID, posted.text, revision, at]
        )
    }

    public func requestMessages(ofKey keyID: Int64) async throws -> [PostedMessage] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT chat_id, message_id, text FROM bot_posted WHERE key_id = ? AND purpose = 'request'
                    ORDER BY created_at
                    """,
                arguments: [keyID]
            ).map { PostedMessage(chatID: $0["chat_id"], messageID: $0["message_id"], text: $0["text"]) }
        }
    }

    public func reasonPrompt(chatID: Int64, messageID: Int) async throws -> (keyID: Int64, revision: String?)? {
        try await writer.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT key_id, revision FROM bot_posted
                    WHERE chat_id = ? AND message_id = ? AND purpose = 'reason'
                    """,
                arguments: [chatID, messageID]
            ).map { (keyID: $0["key_id"], revision: $0["revision"]) }
        }
    }

    // MARK: - Users and chats

    public func ensureUser(telegramID: Int64, username: String?, languageCode: String?, at date: Date) async throws
        -> User
    {
        // Every update asks; almost always the user exists unchanged, and a read does not take the write lock.
        let known = try await writer.read { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM users WHERE telegram_id = ?"),
                arguments: [telegramID]
            ).map { RowMapping.user($0, prefix: "") }
        }
        if let known, username == nil || known.username == username, languageCode == nil || known.languageCode != nil {
            return known
        }
        return try await writer.write { db in
            if let id = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT id FROM users WHERE telegram_id = ?"),
                arguments: [telegramID]
            ) {
                // The language stays as first seen or as chosen with /language; the Telegram name may change.
                try db.execute(
                    sql: """
                        UPDATE users SET username = coalesce(?, username), language_code = coalesce(language_code, ?)
                        WHERE id = ?
                        """,
                    arguments: [username, languageCode, id]
                )
                return try SQLiteExchangeStore.fetchUser(db, id: id)!
            }
            try db.execute(
                sql: """
                    INSERT INTO users (username, telegram_id, language_code, is_admin, is_active, created_at)
                    VALUES (?, ?, ?, 0, 1, ?)
                    """,
                arguments: [username, telegramID, languageCode, DatabaseDate.format(date)]
            )
            return try SQLiteExchangeStore.fetchUser(db, id: db.lastInsertedRowID)!
        }
    }

    public func adminChatOverride(configured: Int64) async throws -> Int64? {
        let stored = try await writer.read { db in try Self.stateValue(db, StateName.adminChatMigration) }
        let ids = stored?.split(separator: ":").compactMap { Int64($0) } ?? []
        guard ids.count == 2, ids[0] == configured else { return nil }
        return ids[1]
    }

    public func setAdminChatOverride(_ chatID: Int64, configured: Int64) async throws {
        try await writer.write { db in
            try Self.setState(db, StateName.adminChatMigration, "\(configured):\(chatID)")
        }
    }

    public func setUnreachable(telegramID: Int64, _ unreachable: Bool, at date: Date) async throws {
        // Called for every message a user writes: only take the write lock when something changes.
        guard try await isUnreachable(telegramID: telegramID) != unreachable else { return }
        try await writer.write { db in
            if unreachable {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO bot_unreachable (telegram_id, since) VALUES (?, ?)",
                    arguments: [telegramID, DatabaseDate.format(date)]
                )
            } else {
                try db.execute(sql: "DELETE FROM bot_unreachable WHERE telegram_id = ?", arguments: [telegramID])
            }
        }
    }

    public func isUnreachable(telegramID: Int64) async throws -> Bool {
        try await writer.read { db in
            try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT 1 FROM bot_unreachable WHERE telegram_id = ?"),
                arguments: [telegramID]
            ) ?? false
        }
    }

    // MARK: - Housekeeping

    public func tidy(now: Date, abandonedBefore: Date) async throws {
        let week = DatabaseDate.format(now.addingTimeInterval(-7 * 86_400))
        let stale = try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT telegram_id, state FROM bot_conversations WHERE NOT awaiting_service AND updated_at < ?",
                arguments: [DatabaseDate.format(abandonedBefore)]
            ).map { (id: $0["telegram_id"] as Int64, token: $0["state"] as String) }
        }
        let encoder = JSONEncoder()
        var scrubbed = [(id: Int64, token: String)]()
        for row in stale {
            guard var state = open(row.token), state.step.dropSecret() else { continue }
            state.pendingSubmission = nil
            scrubbed.append((row.id, ring.encrypt(try encoder.encode(state))))
        }
        let rows = scrubbed
        try await writer.write { db in
            try db.execute(
                sql: "DELETE FROM bot_outgoing WHERE finished_at IS NOT NULL AND finished_at < ?",
                arguments: [week]
            )
            try db.execute(sql: "DELETE FROM bot_inbox WHERE parked_at < ?", arguments: [week])
            try db.execute(
                sql: """
                    DELETE FROM bot_posted WHERE created_at < ?
                    AND key_id NOT IN (SELECT id FROM user_exchanges WHERE status = 'PENDING')
                    """,
                arguments: [week]
            )
            for row in rows {
                try db.execute(
                    sql: "UPDATE bot_conversations SET state = ? WHERE telegram_id = ?",
                    arguments: [row.token, row.id]
                )
            }
        }
    }

    // MARK: - Helpers

    private static func stateValue(_ db: Database, _ name: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT value FROM bot_state WHERE name = ?", arguments: [name])
    }

    private static func setState(_ db: Database, _ name: String, _ value: String) throws {
        try db.execute(
            sql:
                "INSERT INTO bot_state (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            arguments: [name, value]
        )
    }
}

extension OutgoingAction {
    fileprivate var closesRequests: Bool {
        if case .closeRequests = self { return true }
        return false
    }
}

extension ConversationState.Step {
    /// Removes a draft's secret, keeping the step (so a late answer is still recognised, and deleted, as one);
    /// `false` when there was none.
    fileprivate mutating func dropSecret() -> Bool {
        switch self {
        case .awaitingSecret(var draft), .awaitingPassphrase(var draft):
            guard draft.apiSecret != nil else { return false }
            draft.apiSecret = nil
            self = if case .awaitingSecret = self { .awaitingSecret(draft) } else { .awaitingPassphrase(draft) }
            return true
        default:
            return false
        }
    }
}
