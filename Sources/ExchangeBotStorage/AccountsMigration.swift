import GRDB

/// The `v7-platform-accounts` migration: the product's own tables for Telegram accounts, one-time link codes and
/// the email outbox. The platform's `users` table is never altered.
///
/// `bot_telegram_accounts` holds a Telegram account's link to a user made by the bot (`user_id`, unique: one
/// Telegram account per user), its language chosen in the bot (a row may have no user), and whether the user it
/// names is an account the bot made for that Telegram user on first contact (`made_by_bot`).
///
/// Existing databases are backfilled from `users.telegram_id` where that column exists: a row per user with a
/// Telegram id, its language copied. Whether the bot made that user is not recorded anywhere before this
/// migration, so it is guessed: a user **without an email** is taken as one the bot made (the round-1 bot wrote no
/// email; the platform's sign-up always does). Such an account's keys move, and the account is deactivated, when its
/// Telegram user links a platform account.
enum AccountsMigration {
    static let identifier = "v7-platform-accounts"

    static func migrate(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE bot_telegram_accounts (
                    telegram_id INTEGER PRIMARY KEY,
                    user_id INTEGER UNIQUE REFERENCES users(id) ON DELETE SET NULL,
                    telegram_username TEXT,
                    language_code TEXT,
                    made_by_bot BOOLEAN NOT NULL DEFAULT 0,
                    linked_at DATETIME
                );
                CREATE TABLE bot_link_codes (
                    code_hash BLOB PRIMARY KEY,
                    user_id INTEGER NOT NULL,
                    expires_at DATETIME NOT NULL,
                    created_at DATETIME NOT NULL,
                    used_at DATETIME,
                    used_by_telegram_id INTEGER
                );
                CREATE TABLE mail_outbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    user_id INTEGER NOT NULL,
                    notice TEXT NOT NULL,
                    dedupe_key TEXT UNIQUE,
                    created_at DATETIME NOT NULL,
                    retry_at DATETIME NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    sent_at DATETIME,
                    given_up_at DATETIME,
                    last_error TEXT
                );
                CREATE INDEX mail_outbox_due ON mail_outbox(retry_at, id) WHERE sent_at IS NULL AND given_up_at IS NULL;
                """
        )
        let users = try UsersTable.discover(db)
        guard users.hasTelegramID else { return }
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO bot_telegram_accounts (telegram_id, user_id, language_code, made_by_bot)
                SELECT telegram_id, id, \(users.hasLanguageCode ? "language_code" : "NULL"), email IS NULL
                FROM users WHERE telegram_id IS NOT NULL
                """
        )
    }
}
