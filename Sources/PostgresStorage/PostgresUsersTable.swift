import Foundation
import PostgresNIO

/// The platform's `users` table as this database has it, and every statement on `users` built from that: the one
/// place on PostgreSQL that knows which of its columns exist.
///
/// The product needs only `id, username, email, is_active, is_admin`; `telegram_id`, `language_code` and
/// `created_at` are read and written only where the table has them (it has them when `migrate` created it). The
/// columns are looked up once per pool (by ``PostgresSchema/migrate(_:)``, or at the first query), through the
/// `search_path` as every query finds the table. The Telegram account and language a ``User`` is read with are
/// resolved here: the platform's `users.telegram_id` first, else the bot's link in `exchange_bot_telegram_accounts`
/// (unless the platform names that Telegram account for another user: the platform wins); the language chosen in
/// the bot first, else `users.language_code`.
public struct PostgresUsersTable: Sendable, Equatable {
    public var hasTelegramID: Bool
    public var hasLanguageCode: Bool
    public var hasCreatedAt: Bool

    static func discover(_ connection: PostgresConnection, logger: Logger) async throws -> PostgresUsersTable {
        let rows = try await connection.query(
            """
            SELECT attname::text FROM pg_attribute
            WHERE attrelid = to_regclass('users') AND attnum > 0 AND NOT attisdropped
            """,
            logger: logger
        )
        var names = Set<String>()
        for try await name in rows.decode(String.self) { names.insert(name.lowercased()) }
        return PostgresUsersTable(
            hasTelegramID: names.contains("telegram_id"),
            hasLanguageCode: names.contains("language_code"),
            hasCreatedAt: names.contains("created_at")
        )
    }

    /// The Telegram account linked to the user row `alias`, as an SQL expression.
    func linkedTelegramID(_ alias: String) -> String {
        let product = "SELECT t.telegram_id FROM exchange_bot_telegram_accounts t WHERE t.user_id = \(alias).id"
        guard hasTelegramID else { return "(\(product))" }
        return """
            coalesce(\(alias).telegram_id, (\(product)
                AND NOT EXISTS (SELECT 1 FROM users p WHERE p.telegram_id = t.telegram_id AND p.id <> \(alias).id)))
            """
    }

    /// The select list a ``User`` is read from (``PostgresExchangeRows/user(_:)``), for the row `alias`.
    func columns(_ alias: String = "u") -> String {
        let telegram = linkedTelegramID(alias)
        let chosen = "(SELECT l.language_code FROM exchange_bot_telegram_accounts l WHERE l.telegram_id = \(telegram))"
        let language = hasLanguageCode ? "coalesce(\(chosen), \(alias).language_code::text)" : chosen
        return """
            \(alias).id::int8 AS u_id, \(alias).username::text AS u_username, \(alias).email::text AS u_email,
            \(telegram)::int8 AS u_telegram_id, \(language)::text AS u_language_code,
            \(alias).is_admin AS u_is_admin, \(alias).is_active AS u_is_active,
            \(hasCreatedAt ? "\(alias).created_at::timestamp" : "NULL::timestamp") AS u_created_at
            """
    }

    /// The id of the user the Telegram account `telegramID` is linked to, as an SQL expression.
    func userIDOfTelegram(_ telegramID: Int64) -> String {
        let product = "(SELECT t.user_id FROM exchange_bot_telegram_accounts t WHERE t.telegram_id = \(telegramID))"
        guard hasTelegramID else { return product }
        return "coalesce((SELECT p.id FROM users p WHERE p.telegram_id = \(telegramID)), \(product))"
    }

    /// The user the platform's `users.telegram_id` links to `telegramID`, other than an account the bot made for
    /// it (whose `telegram_id` the bot wrote itself); `nil` when the column does not exist.
    func platformLinkOfTelegram(_ telegramID: Int64) -> String? {
        guard hasTelegramID else { return nil }
        return """
            SELECT p.id::int8 AS id FROM users p WHERE p.telegram_id = \(telegramID) AND NOT EXISTS (
                SELECT 1 FROM exchange_bot_telegram_accounts b WHERE b.telegram_id = p.telegram_id
                    AND b.user_id = p.id AND b.made_by_bot)
            """
    }

    /// The row the bot writes for a Telegram user nobody knows: only the columns that exist (the optional ones for
    /// the seed's Python side, which reads them). Returns the new id.
    func insertBotUser(username: String?, telegramID: Int64, languageCode: String?, at date: Date) -> PostgresQuery {
        var bindings = PostgresBindings()
        var columns = ["username", "is_admin", "is_active"]
        var values = ["$1", "FALSE", "TRUE"]
        bindings.append(username)
        if hasTelegramID {
            bindings.append(telegramID)
            (columns, values) = (columns + ["telegram_id"], values + ["$\(bindings.count)"])
        }
        if hasLanguageCode {
            bindings.append(languageCode)
            (columns, values) = (columns + ["language_code"], values + ["$\(bindings.count)"])
        }
        if hasCreatedAt {
            bindings.append(PostgresExchangeRows.stored(date))
            (columns, values) = (columns + ["created_at"], values + ["$\(bindings.count)"])
        }
        return PostgresQuery(
            unsafeSQL: """
                INSERT INTO users (\(columns.joined(separator: ", "))) VALUES (\(values.joined(separator: ", ")))
                RETURNING id::int8
                """,
            binds: bindings
        )
    }

    /// Retires an account the bot made once its Telegram user links a platform account: inactive, and its
    /// `telegram_id` (the bot's own write) cleared where the column exists.
    func retireBotUser(_ userID: Int64) -> PostgresQuery {
        PostgresQuery(
            unsafeSQL:
                "UPDATE users SET is_active = FALSE\(hasTelegramID ? ", telegram_id = NULL" : "") WHERE id = \(userID)"
        )
    }
}

/// The ``PostgresUsersTable`` of one pool's database, looked up once and then shared by every store on the pool.
public final class PostgresUsersTableCache: @unchecked Sendable {
    private let lock = NSLock()
    private var known: PostgresUsersTable?

    public init() {}

    func store(_ table: PostgresUsersTable) {
        lock.withLock { known = table }
    }

    /// The cached shape, or the shape looked up now on `connection` (and cached).
    func table(_ connection: PostgresConnection, logger: Logger) async throws -> PostgresUsersTable {
        if let known = lock.withLock({ known }) { return known }
        let found = try await PostgresUsersTable.discover(connection, logger: logger)
        store(found)
        return found
    }
}
