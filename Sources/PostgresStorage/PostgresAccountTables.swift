/// The product's tables for platform accounts: Telegram accounts (`exchange_bot_telegram_accounts`), one-time link
/// codes (`exchange_bot_link_codes`, only a code's hash) and the email outbox (`exchange_bot_mail_outbox`). The
/// same columns as SQLite's `bot_telegram_accounts`, `bot_link_codes` and `mail_outbox`; the platform's `users` is
/// never altered.
///
/// `exchange_bot_telegram_accounts` holds a Telegram account's link to a user made by the bot (`user_id`, unique:
/// one Telegram account per user), its language chosen in the bot (a row may have no user), and whether the user it
/// names is an account the bot made for that Telegram user on first contact (`made_by_bot`).
///
/// The last statement backfills an existing database from `users.telegram_id`, where that column exists: a row per
/// user with a Telegram id, its language copied. Whether the bot made that user was recorded nowhere before, so it is
/// guessed: a user **without an email** is taken as one the bot made (the round-1 bot wrote no email; the platform's
/// sign-up always does). Such an account's keys move, and the account is deactivated, when its Telegram user links a
/// platform account.
enum PostgresAccountTables {
    /// Idempotent DDL, run in order by ``PostgresSchema/migrate(_:)``; append-only (``PostgresMigrations``).
    static let statements: [String] = [
        """
        CREATE TABLE IF NOT EXISTS exchange_bot_telegram_accounts (
            telegram_id BIGINT PRIMARY KEY,
            user_id BIGINT UNIQUE REFERENCES users(id) ON DELETE SET NULL,
            telegram_username TEXT,
            language_code TEXT,
            made_by_bot BOOLEAN NOT NULL DEFAULT FALSE,
            linked_at TIMESTAMP WITHOUT TIME ZONE
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS exchange_bot_link_codes (
            code_hash BYTEA PRIMARY KEY,
            user_id BIGINT NOT NULL,
            expires_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
            created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
            used_at TIMESTAMP WITHOUT TIME ZONE,
            used_by_telegram_id BIGINT
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS exchange_bot_mail_outbox (
            id BIGSERIAL PRIMARY KEY,
            user_id BIGINT NOT NULL,
            notice TEXT NOT NULL,
            dedupe_key TEXT UNIQUE,
            created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
            retry_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            sent_at TIMESTAMP WITHOUT TIME ZONE,
            given_up_at TIMESTAMP WITHOUT TIME ZONE,
            last_error TEXT
        )
        """,
        """
        CREATE INDEX IF NOT EXISTS exchange_bot_mail_outbox_due ON exchange_bot_mail_outbox (retry_at, id)
            WHERE sent_at IS NULL AND given_up_at IS NULL
        """,
        """
        DO $$
        DECLARE
            language TEXT := 'NULL';
        BEGIN
            IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('users') AND attname = 'telegram_id'
                AND NOT attisdropped)
            THEN
                IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('users')
                    AND attname = 'language_code' AND NOT attisdropped)
                THEN
                    language := 'language_code';
                END IF;
                EXECUTE 'INSERT INTO exchange_bot_telegram_accounts (telegram_id, user_id, language_code, made_by_bot) '
                    || 'SELECT telegram_id, id, ' || language || ', email IS NULL FROM users '
                    || 'WHERE telegram_id IS NOT NULL ON CONFLICT DO NOTHING';
            END IF;
        END
        $$
        """,
    ]
}
