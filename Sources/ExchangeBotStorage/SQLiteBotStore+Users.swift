import BotConversation
import ExchangeBotCore
import Foundation
import GRDB

/// Telegram users and chats as the bot sees them (rows in `users` and `bot_telegram_accounts`, who blocked the bot, where the admin group
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
        let users = database.users
        let linkedUser = "SELECT u.id FROM users u WHERE u.id = \(users.userIDOfTelegram)"
        // Every update asks; almost always the user exists unchanged, and a read does not take the write lock.
        let (known, token) = try await writer.read { db in
            let user = try Row.fetchOne(
                db.cachedStatement(
                    sql: "SELECT \(users.columns()) FROM users u WHERE u.id = \(users.userIDOfTelegram)"
                ),
                arguments: ["telegram": telegramID]
            ).map { RowMapping.user($0) }
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
            if let id = try Int64.fetchOne(db, sql: linkedUser, arguments: ["telegram": telegramID]) {
                // The language stays as first seen or as chosen with /language; the Telegram name may change.
                try db.execute(
                    sql: "UPDATE users SET username = coalesce(username, ?) WHERE id = ?",
                    arguments: [username, id]
                )
                let current = try users.require(db, id: id)
                if current.languageCode == nil, let languageCode {
                    try Self.chooseLanguage(db, telegramID: telegramID, code: languageCode)
                }
                return try users.require(db, id: id)
            }
            let stamp = DatabaseDate.format(date)
            do {
                try db.execute(
                    sql: users.insertBotUser,
                    arguments: users.botUserArguments(
                        username: username,
                        telegramID: telegramID,
                        languageCode: languageCode,
                        at: stamp
                    )
                )
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                // The platform's table wants what the bot cannot give (a NOT NULL column, a unique name).
                throw UserCreationRefused(telegramID: telegramID)
            }
            let id = db.lastInsertedRowID
            try db.execute(
                sql: """
                    INSERT INTO bot_telegram_accounts
                        (telegram_id, user_id, telegram_username, language_code, made_by_bot, linked_at)
                    VALUES (?, ?, ?, ?, 1, ?)
                    ON CONFLICT(telegram_id) DO UPDATE SET user_id = excluded.user_id,
                        telegram_username = excluded.telegram_username, made_by_bot = 1, linked_at = excluded.linked_at,
                        language_code = coalesce(bot_telegram_accounts.language_code, excluded.language_code)
                    """,
                arguments: [telegramID, id, username, languageCode, stamp]
            )
            return try users.require(db, id: id)
        }
        return (user, conversation)
    }

    /// Records a Telegram account's language in the product's table (a row without a user if it has none yet).
    static func chooseLanguage(_ db: Database, telegramID: Int64, code: String) throws {
        try db.execute(
            sql: """
                INSERT INTO bot_telegram_accounts (telegram_id, language_code) VALUES (?, ?)
                ON CONFLICT(telegram_id) DO UPDATE SET language_code = excluded.language_code
                """,
            arguments: [telegramID, code]
        )
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
                sql: "DELETE FROM bot_seen_updates WHERE received_at < ?",
                arguments: [DatabaseDate.format(now.addingTimeInterval(-SeenUpdates.retention))]
            )
            // A link code is useless once used or expired; a day later nobody asks about it any more.
            let day = DatabaseDate.format(now.addingTimeInterval(-86_400))
            try db.execute(
                sql: "DELETE FROM bot_link_codes WHERE used_at < ? OR expires_at < ?",
                arguments: [day, day]
            )
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
