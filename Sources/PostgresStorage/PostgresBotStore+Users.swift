import BotConversation
import ExchangeBotCore
import Foundation
import PostgresNIO

/// Telegram users and chats as the bot sees them (rows in `users` and `exchange_bot_telegram_accounts`, who blocked the bot, where the admin group
/// moved), and the tidying of the bot's tables.
extension PostgresBotStore {
    // MARK: - Users and chats

    /// The platform's `users` table as this database has it (looked up once per pool).
    func usersTable(_ connection: PostgresConnection) async throws -> PostgresUsersTable {
        try await database.usersTable.table(connection, logger: logger)
    }

    /// A ``User`` read with ``PostgresUsersTable/columns(_:)`` from a row that may have none (`u_id` NULL).
    static func user(_ row: PostgresRandomAccessRow) throws -> User? {
        guard try row["u_id"].decode(Int64?.self) != nil else { return nil }
        return try PostgresExchangeRows.user(row)
    }

    public func userAndConversation(
        telegramID: Int64,
        username: String?,
        languageCode: String?,
        createUser: Bool,
        at date: Date
    ) async throws -> (user: User?, conversation: ConversationState?) {
        // Every update asks; almost always the user exists unchanged: one read, one round trip, no row lock.
        let (known, token) = try await database.withConnection { connection in
            let users = try await usersTable(connection)
            let rows = try await connection.query(
                """
                SELECT \(unescaped: users.columns()),
                    (SELECT state FROM exchange_bot_conversations WHERE telegram_id = \(telegramID)) AS state
                FROM (SELECT 1) AS one LEFT JOIN users u ON u.id = \(unescaped: users.userIDOfTelegram(telegramID))
                """,
                logger: logger
            ).collect()
            guard let row = rows.first?.makeRandomAccess() else { return (User?.none, String?.none) }
            return (try Self.user(row), try row["state"].decode(String?.self))
        }
        let conversation = token.flatMap(open)
        // A known user's name and language are the platform's (or the user's choice): the Telegram handle and
        // language only fill them when empty, so a shared `users` table is never rewritten from Telegram.
        if let known, username == nil || known.username != nil, languageCode == nil || known.languageCode != nil {
            return (known, conversation)
        }
        if known == nil, !createUser { return (nil, conversation) }
        let user = try await database.transaction { connection in
            try await writeUser(
                connection,
                telegramID: telegramID,
                username: username,
                languageCode: languageCode,
                at: date
            )
        }
        return (user, conversation)
    }

    /// Fills a known user's empty name and language, or creates the user (a `users` row with the columns that
    /// exist, and the product's row saying the bot made it). Concurrent first contacts of one Telegram user take
    /// turns on an advisory lock of that account, so the second finds the first's user.
    private func writeUser(
        _ connection: PostgresConnection,
        telegramID: Int64,
        username: String?,
        languageCode: String?,
        at date: Date
    ) async throws -> User {
        let users = try await usersTable(connection)
        try await Self.lockTelegramAccount(telegramID, on: connection, logger: logger)
        let found = try await connection.query(
            "SELECT u.id::int8 FROM users u WHERE u.id = \(unescaped: users.userIDOfTelegram(telegramID))",
            logger: logger
        ).collect()
        if let id = try found.first?.decode(Int64.self) {
            // The language stays as first seen or as chosen with /language; the Telegram name may change.
            try await Self.run(
                "UPDATE users SET username = coalesce(username, \(username)) WHERE id = \(id)",
                on: connection,
                logger: logger
            )
            if let languageCode, try await Self.readUser(id, users, connection, logger)?.languageCode == nil {
                try await Self.chooseLanguage(
                    telegramID: telegramID,
                    code: languageCode,
                    on: connection,
                    logger: logger
                )
            }
            guard let user = try await Self.readUser(id, users, connection, logger) else {
                throw StorageFailure.noUserRow
            }
            return user
        }
        let id: Int64
        do {
            let inserted = try await connection.query(
                users.insertBotUser(username: username, telegramID: telegramID, languageCode: languageCode, at: date),
                logger: logger
            ).collect()
            guard let new = try inserted.first?.decode(Int64.self) else { throw StorageFailure.noUserRow }
            id = new
        } catch let error as PSQLError where error.serverInfo?[.sqlState]?.hasPrefix("23") == true {
            // The platform's table wants what the bot cannot give (a NOT NULL column, a unique name).
            throw UserCreationRefused(telegramID: telegramID)
        }
        let stamp = PostgresExchangeRows.stored(date)
        try await Self.run(
            """
            INSERT INTO exchange_bot_telegram_accounts
                (telegram_id, user_id, telegram_username, language_code, made_by_bot, linked_at)
            VALUES (\(telegramID), \(id), \(username), \(languageCode), TRUE, \(stamp))
            ON CONFLICT (telegram_id) DO UPDATE SET user_id = EXCLUDED.user_id,
                telegram_username = EXCLUDED.telegram_username, made_by_bot = TRUE, linked_at = EXCLUDED.linked_at,
                language_code = coalesce(exchange_bot_telegram_accounts.language_code, EXCLUDED.language_code)
            """,
            on: connection,
            logger: logger
        )
        guard let user = try await Self.readUser(id, users, connection, logger) else { throw StorageFailure.noUserRow }
        return user
    }

    static func readUser(_ id: Int64, _ users: PostgresUsersTable, _ connection: PostgresConnection, _ logger: Logger)
        async throws -> User?
    {
        let rows = try await connection.query(
            "SELECT \(unescaped: users.columns()) FROM users u WHERE u.id = \(id)",
            logger: logger
        ).collect()
        return try rows.first.flatMap { try user($0.makeRandomAccess()) }
    }

    /// Serialises, until the transaction ends, everything that creates or changes the links of one Telegram
    /// account (first contact, linking, unlinking) across instances.
    static func lockTelegramAccount(_ telegramID: Int64, on connection: PostgresConnection, logger: Logger)
        async throws
    {
        try await run(
            "SELECT pg_advisory_xact_lock(hashtextextended('exchange_bot_telegram:' || \(telegramID)::text, 0))",
            on: connection,
            logger: logger
        )
    }

    /// Records a Telegram account's language in the product's table (a row without a user if it has none yet).
    static func chooseLanguage(telegramID: Int64, code: String, on connection: PostgresConnection, logger: Logger)
        async throws
    {
        try await run(
            """
            INSERT INTO exchange_bot_telegram_accounts (telegram_id, language_code) VALUES (\(telegramID), \(code))
            ON CONFLICT (telegram_id) DO UPDATE SET language_code = EXCLUDED.language_code
            """,
            on: connection,
            logger: logger
        )
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
            let forgotten = now.addingTimeInterval(-SeenUpdates.retention)
            try await Self.run(
                "DELETE FROM exchange_bot_seen_updates WHERE received_at < \(forgotten)",
                on: connection,
                logger: logger
            )
            // A link code is useless once used or expired; a day later nobody asks about it any more.
            let day = now.addingTimeInterval(-86_400)
            try await Self.run(
                "DELETE FROM exchange_bot_link_codes WHERE used_at < \(day) OR expires_at < \(day)",
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

    /// What cannot happen while the schema is this service's: a user row just written or found is not there.
    enum StorageFailure: Error, CustomStringConvertible {
        case noUserRow

        var description: String { "the user row just written is gone" }
    }
}
