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
    let ring: MultiFernet

    public init(database: AppDatabase, ring: MultiFernet) {
        self.database = database
        self.ring = ring
    }

    var writer: any DatabaseWriter { database.writer }

    /// Names in `bot_state`.
    enum StateName {
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
            // An id remembered (see `SeenUpdates`) is not stored again: it was received before, whatever became of it.
            let remember = try db.cachedStatement(
                sql: "INSERT OR IGNORE INTO bot_seen_updates (update_id, received_at) VALUES (?, ?)"
            )
            let store = try db.cachedStatement(
                sql: "INSERT OR IGNORE INTO bot_inbox (update_id, payload, received_at) VALUES (?, ?, ?)"
            )
            for update in sealed {
                try remember.execute(arguments: [update.id, now])
                guard db.changesCount > 0 else { continue }
                try store.execute(arguments: [update.id, update.token, now])
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
            try db.cachedStatement(
                sql: """
                    UPDATE bot_inbox SET outside_effect_started = 1
                    WHERE update_id = ? AND NOT outside_effect_started
                    """
            ).execute(arguments: [updateID])
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

    public func conversations(idleSince date: Date) async throws -> [(telegramID: Int64, state: ConversationState)] {
        let rows = try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT telegram_id, state FROM bot_conversations WHERE NOT awaiting_service AND updated_at < ?",
                arguments: [DatabaseDate.format(date)]
            ).map { (id: $0["telegram_id"] as Int64, token: $0["state"] as String) }
        }
        return rows.compactMap { row in open(row.token).map { (row.id, $0) } }
    }

    func open(_ token: String) -> ConversationState? {
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
                lane: $0.action.lane, keyID: $0.action.keyID, closes: $0.closesQueuedActions
            )
        }
        let stamp = DatabaseDate.format(now)
        let idleSince = commit.onlyIfIdleSince.map(DatabaseDate.format)
        try await writer.write { db in
            if let id = commit.closesCheckOf {
                try db.cachedStatement(
                    sql: "UPDATE bot_conversations SET awaiting_service = 0 WHERE telegram_id = ? AND awaiting_service"
                ).execute(arguments: [id])
                if db.changesCount == 0 { throw CheckFinishedElsewhere(telegramID: id) }
            }
            if let id = commit.handledUpdateID {
                try db.cachedStatement(sql: "DELETE FROM bot_inbox WHERE update_id = ?").execute(arguments: [id])
            }
            if let id = commit.reachable {
                try db.cachedStatement(sql: "DELETE FROM bot_unreachable WHERE telegram_id = ?")
                    .execute(arguments: [id])
            }
            for state in states {
                if let idleSince {
                    try db.execute(
                        sql: """
                            UPDATE bot_conversations SET state = ?, awaiting_service = ?
                            WHERE telegram_id = ? AND updated_at < ? AND NOT awaiting_service
                            """,
                        arguments: [state.token, state.awaiting, state.id, idleSince]
                    )
                    continue
                }
                try db.cachedStatement(
                    sql: """
                        INSERT INTO bot_conversations (telegram_id, state, awaiting_service, updated_at)
                        VALUES (?, ?, ?, ?)
                        ON CONFLICT(telegram_id) DO UPDATE SET state = excluded.state,
                            awaiting_service = excluded.awaiting_service, updated_at = excluded.updated_at
                        """
                ).execute(arguments: [state.id, state.token, state.awaiting, stamp])
            }
            let insert = try db.cachedStatement(
                sql: """
                    INSERT OR IGNORE INTO bot_outgoing (lane, key_id, action, dedupe_key, created_at)
                    VALUES (?, ?, ?, ?, ?)
                    """
            )
            for action in actions {
                if let closes = action.closes {
                    // A key decided before its request (or reason prompt) went out: the request would only be
                    // stale. One already in flight is still remembered when it lands, and closed after it. What
                    // this event or a later one queued stays (see `QueuedAction`): the outbox id is the number
                    // between `event:` and the next colon of a row's dedupe key.
                    try db.execute(
                        sql: """
                            UPDATE bot_outgoing SET finished_at = ?, result = 'abandoned: decided before it was posted'
                            WHERE key_id = ? AND finished_at IS NULL
                                AND coalesce(
                                    CASE WHEN dedupe_key LIKE 'event:%' THEN CAST(substr(
                                        dedupe_key, 7, instr(substr(dedupe_key, 7) || ':', ':') - 1
                                    ) AS INTEGER) END,
                                    -1
                                ) < ?
                            """,
                        arguments: [stamp, closes.keyID, closes.ofEventsBefore]
                    )
                }
                try insert.execute(arguments: [action.lane, action.keyID, action.json, action.dedupe, stamp])
            }
            if let language = commit.language {
                try Self.chooseLanguage(db, telegramID: language.telegramID, code: language.code)
            }
        }
    }

    // MARK: - Helpers

    static func stateValue(_ db: Database, _ name: String) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM bot_state WHERE name = ?"), arguments: [name])
    }

    static func setState(_ db: Database, _ name: String, _ value: String) throws {
        try db.cachedStatement(
            sql:
                "INSERT INTO bot_state (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value"
        ).execute(arguments: [name, value])
    }
}
