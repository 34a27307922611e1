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
        static let adminChat = "telegram.admin_chat_id"
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

    public func unhandledUpdates() async throws -> [ReceivedUpdate] {
        let rows = try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT update_id, payload FROM bot_inbox ORDER BY update_id")
                .map { (id: $0["update_id"] as Int64, token: $0["payload"] as String) }
        }
        return rows.compactMap { row in
            // An update no key opens (the master key was replaced) cannot be handled; it is dropped at commit.
            (try? ring.decrypt(row.token)).map { ReceivedUpdate(id: row.id, payload: $0) }
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
            (json: String(decoding: try encoder.encode($0.action), as: UTF8.self), dedupe: $0.dedupeKey)
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
                sql: "INSERT OR IGNORE INTO bot_outgoing (action, dedupe_key, created_at) VALUES (?, ?, ?)"
            )
            for action in actions {
                try insert.execute(arguments: [action.json, action.dedupe, stamp])
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

    public func queuedOutgoing(limit: Int, excluding: Set<Int64>) async throws -> [QueuedOutgoing] {
        let rows = try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT id, action FROM bot_outgoing WHERE finished_at IS NULL ORDER BY id LIMIT ?",
                arguments: [limit + excluding.count]
            ).map { (id: $0["id"] as Int64, json: $0["action"] as String) }
        }
        let decoder = JSONDecoder()
        return rows.filter { !excluding.contains($0.id) }.prefix(limit).compactMap { row in
            (try? decoder.decode(OutgoingAction.self, from: Data(row.json.utf8)))
                .map { QueuedOutgoing(id: row.id, action: $0) }
        }
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
        let (name, keyID): (String, Int64)
        switch purpose {
        case .plain: return
        case .adminRequest(let id): (name, keyID) = ("request", id)
        case .reasonPrompt(let id): (name, keyID) = ("reason", id)
        }
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO bot_posted (chat_id, message_id, purpose, key_id, text, created_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
            arguments: [posted.chatID, posted.messageID, name, keyID, posted.text, at]
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

    public func reasonPrompt(chatID: Int64, messageID: Int) async throws -> Int64? {
        try await writer.read { db in
            try Int64.fetchOne(
                db,
                sql: "SELECT key_id FROM bot_posted WHERE chat_id = ? AND message_id = ? AND purpose = 'reason'",
                arguments: [chatID, messageID]
            )
        }
    }

    // MARK: - Users and chats

    public func ensureUser(telegramID: Int64, username: String?, languageCode: String?, at date: Date) async throws
        -> User
    {
        try await writer.write { db in
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

    public func adminChatOverride() async throws -> Int64? {
        try await writer.read { db in try Self.stateValue(db, StateName.adminChat).flatMap { Int64($0) } }
    }

    public func setAdminChatOverride(_ chatID: Int64) async throws {
        try await writer.write { db in try Self.setState(db, StateName.adminChat, String(chatID)) }
    }

    public func setUnreachable(telegramID: Int64, _ unreachable: Bool, at date: Date) async throws {
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
