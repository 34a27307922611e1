import GRDB

/// The platform's `users` table as this database has it, and every statement on `users` built from that: the one
/// place that knows which of its columns exist.
///
/// The product needs only `id, username, email, is_active, is_admin`; `telegram_id`, `language_code` and
/// `created_at` are read and written only where the table has them (it has them when `migrate` created it). The
/// columns are looked up once, when the database is opened. The Telegram account and the language a ``User`` is
/// read with are resolved here: the platform's `users.telegram_id` first, else the bot's link in
/// `bot_telegram_accounts` (unless the platform names that Telegram account for another user: the platform wins);
/// the language chosen in the bot (`bot_telegram_accounts.language_code`) first, else `users.language_code`.
public struct UsersTable: Sendable, Equatable {
    public var hasTelegramID: Bool
    public var hasLanguageCode: Bool
    public var hasCreatedAt: Bool

    static func discover(_ db: Database) throws -> UsersTable {
        let names = Set(
            try Row.fetchAll(db, sql: "PRAGMA table_info(users)").map { ($0["name"] as String).lowercased() }
        )
        return UsersTable(
            hasTelegramID: names.contains("telegram_id"),
            hasLanguageCode: names.contains("language_code"),
            hasCreatedAt: names.contains("created_at")
        )
    }

    /// The Telegram account linked to the user row `alias`, as an SQL expression.
    func linkedTelegramID(_ alias: String) -> String {
        guard hasTelegramID else {
            return "(SELECT t.telegram_id FROM bot_telegram_accounts t WHERE t.user_id = \(alias).id)"
        }
        return """
            coalesce(\(alias).telegram_id, (SELECT t.telegram_id FROM bot_telegram_accounts t WHERE t.user_id = \(alias).id
                AND NOT EXISTS (SELECT 1 FROM users p WHERE p.telegram_id = t.telegram_id AND p.id != \(alias).id)))
            """
    }

    /// The select list a ``User`` is read from (``RowMapping/user(_:prefix:)``), for the row `alias`.
    func columns(_ alias: String = "u", prefix: String = "u_") -> String {
        let telegram = linkedTelegramID(alias)
        let chosen = "(SELECT l.language_code FROM bot_telegram_accounts l WHERE l.telegram_id = \(telegram))"
        let language = hasLanguageCode ? "coalesce(\(chosen), \(alias).language_code)" : chosen
        return """
            \(alias).id AS \(prefix)id, \(alias).username AS \(prefix)username, \(alias).email AS \(prefix)email,
            \(telegram) AS \(prefix)telegram_id, \(language) AS \(prefix)language_code,
            \(alias).is_admin AS \(prefix)is_admin, \(alias).is_active AS \(prefix)is_active,
            \(hasCreatedAt ? "\(alias).created_at" : "NULL") AS \(prefix)created_at
            """
    }

    /// The id of the user the Telegram account bound to `:telegram` is linked to, as an SQL expression.
    var userIDOfTelegram: String {
        let product = "(SELECT t.user_id FROM bot_telegram_accounts t WHERE t.telegram_id = :telegram)"
        guard hasTelegramID else { return product }
        return "coalesce((SELECT p.id FROM users p WHERE p.telegram_id = :telegram), \(product))"
    }

    /// The user the platform's `users.telegram_id` links to the Telegram account `:telegram`, other than an account
    /// the bot made for it (whose `telegram_id` the bot wrote itself); `nil` when the column does not exist.
    var platformLinkOfTelegram: String? {
        guard hasTelegramID else { return nil }
        return """
            SELECT p.id FROM users p WHERE p.telegram_id = :telegram AND NOT EXISTS (
                SELECT 1 FROM bot_telegram_accounts b WHERE b.telegram_id = p.telegram_id AND b.user_id = p.id
                    AND b.made_by_bot)
            """
    }

    /// The row the bot writes for a Telegram user nobody knows: only the columns that exist (the optional ones
    /// for the seed's Python side, which reads them). Named arguments `:username`, `:telegram`, `:language`, `:at`.
    var insertBotUser: String {
        var columns = ["username", "is_admin", "is_active"]
        var values = [":username", "0", "1"]
        if hasTelegramID { (columns, values) = (columns + ["telegram_id"], values + [":telegram"]) }
        if hasLanguageCode { (columns, values) = (columns + ["language_code"], values + [":language"]) }
        if hasCreatedAt { (columns, values) = (columns + ["created_at"], values + [":at"]) }
        return "INSERT INTO users (\(columns.joined(separator: ", "))) VALUES (\(values.joined(separator: ", ")))"
    }

    /// The arguments of ``insertBotUser``: only those its statement names.
    func botUserArguments(username: String?, telegramID: Int64, languageCode: String?, at date: String)
        -> StatementArguments
    {
        // `updateValue`, not a subscript: assigning a nil value through the subscript would remove the key.
        var arguments: [String: (any DatabaseValueConvertible)?] = ["username": username]
        if hasTelegramID { arguments.updateValue(telegramID, forKey: "telegram") }
        if hasLanguageCode { arguments.updateValue(languageCode, forKey: "language") }
        if hasCreatedAt { arguments.updateValue(date, forKey: "at") }
        return StatementArguments(arguments)
    }

    /// Retires an account the bot made once its Telegram user links a platform account: inactive, and its
    /// `telegram_id` (the bot's own write) cleared where the column exists. Positional argument: the user's id.
    var retireBotUser: String {
        "UPDATE users SET is_active = 0\(hasTelegramID ? ", telegram_id = NULL" : "") WHERE id = ?"
    }
}
