import BotConversation
import ExchangeBotCore
import Foundation
import GRDB

/// Telegram users and chats as the bot sees them (rows in `users`, who blocked the bot, where the admin group
/// moved), and the tidying of the bot's tables.
extension SQLiteBotStore {
    // MARK: - Users and chats

    public func userAndConversation(
        telegramID: Int64,
        username: String?,
        languageCode: String?,
        createUser: Bool,
        at date: Date
    ) async throws -> (user: User?, conversation: ConversationState?) {
        // Every update asks; almost always the user exists unchanged, and a read does not take the write lock.
        let (known, token) = try await writer.read { db in
            let user = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM users WHERE telegram_id = ?"),
                arguments: [telegramID]
            ).map { RowMapping.user($0, prefix: "") }
            let token = try String.fetchOne(
                db.cachedStatement(sql: "SELECT state FROM bot_conversations WHERE telegram_id = ?"),
                arguments: [telegramID]
            )
            return (user, token)
        }
        let conversation = token.flatMap(open)
        // A known user's name and language are the platform's (or the user's choice): the Telegram handle and
        // language only fill them when empty, so a shared `users` table is never rewritten from Telegram.
        if let known, username == nil || known.username != nil, languageCode == nil || known.languageCode != nil {
            return (known, conversation)
        }
        if known == nil, !createUser { return (nil, conversation) }
        let user = try await writer.write { db in
            if let id = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT id FROM users WHERE telegram_id = ?"),
                arguments: [telegramID]
            ) {
                // The language stays as first seen or as chosen with /language; the Telegram name may change.
                try db.execute(
                    sql: """
                        UPDATE users SET username = coalesce(username, ?), language_code = coalesce(language_code, ?)
                        WHERE id = ?
                        """,
                    arguments: [username, languageCode, id]
                )
                return try Users.require(db, id: id)
            }
            try db.execute(
                sql: """
                    INSERT INTO users (username, telegram_id, language_code, is_admin, is_active, created_at)
                    VALUES (?, ?, ?, 0, 1, ?)
                    """,
                arguments: [username, telegramID, languageCode, DatabaseDate.format(date)]
            )
            return try Users.require(db, id: db.lastInsertedRowID)
        }
        return (user, conversation)
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

    public func tidy(now: Date) async throws {
        let week = DatabaseDate.format(now.addingTimeInterval(-7 * 86_400))
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
        }
    }
}
