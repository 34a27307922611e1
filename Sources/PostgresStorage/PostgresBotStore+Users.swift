import BotConversation
import ExchangeBotCore
import Foundation
import PostgresNIO

/// Telegram users and chats as the bot sees them (rows in `users`, who blocked the bot, where the admin group
/// moved), and the tidying of the bot's tables.
extension PostgresBotStore {
    // MARK: - Users and chats

    /// The columns of `users` as a ``User`` is read from them, in the order ``userRow`` decodes.
    static let userColumns = "id, username, email, telegram_id, language_code, is_admin, is_active, created_at"

    /// One `users` row as decoded: `is_admin`/`is_active` may be NULL in a platform's table (read as the columns'
    /// defaults, as on SQLite).
    typealias UserRow = (Int64, String?, String?, Int64?, String?, Bool?, Bool?, Date?)

    static func user(_ row: UserRow) -> User {
        User(
            id: row.0,
            username: row.1,
            email: row.2,
            telegramID: row.3,
            languageCode: row.4,
            isAdmin: row.5 ?? false,
            isActive: row.6 ?? true,
            createdAt: row.7
        )
    }

    public func userAndConversation(
        telegramID: Int64,
        username: String?,
        languageCode: String?,
        createUser: Bool,
        at date: Date
    ) async throws -> (user: User?, conversation: ConversationState?) {
        // Every update asks; almost always the user exists unchanged: one read, one round trip, no row lock.
        let rows = try await database.query(
            """
            SELECT u.id, u.username, u.email, u.telegram_id, u.language_code, u.is_admin, u.is_active, u.created_at,
                (SELECT state FROM exchange_bot_conversations WHERE telegram_id = \(telegramID))
            FROM (SELECT 1) AS one LEFT JOIN users u ON u.telegram_id = \(telegramID)
            """
        )
        var known: User?
        var token: String?
        for try await row in rows.decode(
            (Int64?, String?, String?, Int64?, String?, Bool?, Bool?, Date?, String?).self
        ) {
            if let id = row.0 { known = Self.user((id, row.1, row.2, row.3, row.4, row.5, row.6, row.7)) }
            token = row.8
        }
        let conversation = token.flatMap(open)
        // A known user's name and language are the platform's (or the user's choice): the Telegram handle and
        // language only fill them when empty, so a shared `users` table is never rewritten from Telegram.
        if let known, username == nil || known.username != nil, languageCode == nil || known.languageCode != nil {
            return (known, conversation)
        }
        if known == nil, !createUser { return (nil, conversation) }
        // One statement whatever a concurrent first contact does: the unique `telegram_id` makes the loser of the
        // race update the winner's row. The language stays as first seen or as chosen with /language; the Telegram
        // name may change.
        let written = try await database.query(
            """
            INSERT INTO users (username, telegram_id, language_code, is_admin, is_active, created_at)
            VALUES (\(username), \(telegramID), \(languageCode), FALSE, TRUE, \(date))
            ON CONFLICT (telegram_id) DO UPDATE SET username = coalesce(users.username, EXCLUDED.username),
                language_code = coalesce(users.language_code, EXCLUDED.language_code)
            RETURNING \(unescaped: Self.userColumns)
            """
        )
        for try await row in written.decode(UserRow.self) { return (Self.user(row), conversation) }
        throw StorageFailure.noUserRow
    }

    public func adminChatOverride(configured: Int64) async throws -> Int64? {
        let rows = try await database.query(
            "SELECT configured_chat_id, chat_id FROM exchange_bot_admin_chat WHERE id = 1"
        )
        for try await (movedFrom, chatID) in rows.decode((Int64, Int64).self) where movedFrom == configured {
            return chatID
        }
        return nil
    }

    public func setAdminChatOverride(_ chatID: Int64, configured: Int64) async throws {
        // One record, replaced: a migration recorded for another group no longer applies.
        try await database.query(
            """
            INSERT INTO exchange_bot_admin_chat (id, configured_chat_id, chat_id) VALUES (1, \(configured), \(chatID))
            ON CONFLICT (id) DO UPDATE SET configured_chat_id = EXCLUDED.configured_chat_id,
                chat_id = EXCLUDED.chat_id
            """
        )
    }

    public func setUnreachable(telegramID: Int64, _ unreachable: Bool, at date: Date) async throws {
        // Called for every message a user writes: one statement, which locks nothing when nothing changes.
        if unreachable {
            try await database.query(
                """
                INSERT INTO exchange_bot_unreachable (telegram_id, since) VALUES (\(telegramID), \(date))
                ON CONFLICT (telegram_id) DO NOTHING
                """
            )
        } else {
            try await database.query("DELETE FROM exchange_bot_unreachable WHERE telegram_id = \(telegramID)")
        }
    }

    public func isUnreachable(telegramID: Int64) async throws -> Bool {
        let rows = try await database.query(
            "SELECT 1 FROM exchange_bot_unreachable WHERE telegram_id = \(telegramID)"
        )
        for try await _ in rows { return true }
        return false
    }

    // MARK: - Housekeeping

    public func tidy(now: Date) async throws {
        let week = now.addingTimeInterval(-7 * 86_400)
        try await database.transaction { connection in
            try await Self.run(
                "DELETE FROM exchange_bot_outgoing WHERE finished_at IS NOT NULL AND finished_at < \(week)",
                on: connection,
                logger: logger
            )
            try await Self.run(
                "DELETE FROM exchange_bot_updates WHERE parked_at < \(week)",
                on: connection,
                logger: logger
            )
            try await Self.run(
                """
                DELETE FROM exchange_bot_posted_messages p WHERE p.created_at < \(week)
                AND NOT EXISTS (SELECT 1 FROM user_exchanges e WHERE e.id = p.key_id AND e.status = 'PENDING')
                """,
                on: connection,
                logger: logger
            )
        }
    }

    /// What cannot happen while the schema is this service's: an upsert with `RETURNING` that returns no row.
    enum StorageFailure: Error, CustomStringConvertible {
        case noUserRow

        var description: String { "the users upsert returned no row" }
    }
}
