/// The bot's tables: received updates, the update offset, conversations, the outgoing queue, posted messages,
/// the admin group's override and unreachable users.
///
/// The same columns as SQLite's `bot_*` tables, so a row means the same on both engines:
/// `exchange_bot_updates.payload` and `exchange_bot_conversations.state` are Fernet tokens under the master key (a
/// user's message or draft may hold a secret); nothing else holds a secret. Telegram ids and chat ids are `BIGINT`
/// (they exceed 32 bits). Dates are `TIMESTAMP WITHOUT TIME ZONE` holding naive UTC, as everywhere in the schema.
enum PostgresBotTables {
    /// Idempotent DDL (`CREATE … IF NOT EXISTS`), run in order by ``PostgresSchema/migrate(_:)``.
    static let statements: [String] = [
        """
        CREATE TABLE IF NOT EXISTS exchange_bot_updates (
            update_id BIGINT PRIMARY KEY,
            payload TEXT NOT NULL,
            received_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
            outside_effect_started BOOLEAN NOT NULL DEFAULT FALSE,
            parked_at TIMESTAMP WITHOUT TIME ZONE
        )
        """,
        // One row at most (`id` is always 1): the offset that confirms every stored update.
        """
        CREATE TABLE IF NOT EXISTS exchange_bot_offset (
            id SMALLINT PRIMARY KEY CHECK (id = 1),
            next_offset BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS exchange_bot_conversations (
            telegram_id BIGINT PRIMARY KEY,
            state TEXT NOT NULL,
            awaiting_service BOOLEAN NOT NULL DEFAULT FALSE,
            updated_at TIMESTAMP WITHOUT TIME ZONE NOT NULL
        )
        """,
        """
        CREATE INDEX IF NOT EXISTS exchange_bot_conversations_updated
            ON exchange_bot_conversations (updated_at)
        """,
        """
        CREATE TABLE IF NOT EXISTS exchange_bot_outgoing (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            lane BIGINT NOT NULL,
            key_id BIGINT,
            action TEXT NOT NULL,
            dedupe_key TEXT,
            created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
            finished_at TIMESTAMP WITHOUT TIME ZONE,
            result TEXT
        )
        """,
        // A redelivered notification is queued once, even by two instances at the same moment.
        """
        CREATE UNIQUE INDEX IF NOT EXISTS exchange_bot_outgoing_dedupe ON exchange_bot_outgoing (dedupe_key)
        """,
        """
        CREATE INDEX IF NOT EXISTS exchange_bot_outgoing_queued
            ON exchange_bot_outgoing (lane, id) WHERE finished_at IS NULL
        """,
        """
        CREATE INDEX IF NOT EXISTS exchange_bot_outgoing_key
            ON exchange_bot_outgoing (key_id) WHERE finished_at IS NULL
        """,
        """
        CREATE TABLE IF NOT EXISTS exchange_bot_posted_messages (
            chat_id BIGINT NOT NULL,
            message_id BIGINT NOT NULL,
            purpose TEXT NOT NULL,
            key_id BIGINT NOT NULL,
            text TEXT NOT NULL,
            revision TEXT,
            created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL,
            PRIMARY KEY (chat_id, message_id)
        )
        """,
        """
        CREATE INDEX IF NOT EXISTS exchange_bot_posted_messages_key
            ON exchange_bot_posted_messages (key_id, purpose)
        """,
        // One row at most: the group `ADMIN_CHAT_ID` named, and where Telegram moved it.
        """
        CREATE TABLE IF NOT EXISTS exchange_bot_admin_chat (
            id SMALLINT PRIMARY KEY CHECK (id = 1),
            configured_chat_id BIGINT NOT NULL,
            chat_id BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS exchange_bot_unreachable (
            telegram_id BIGINT PRIMARY KEY,
            since TIMESTAMP WITHOUT TIME ZONE NOT NULL
        )
        """,
        // A reason prompt names the admin who pressed Reject: only their reply becomes the reason.
        "ALTER TABLE exchange_bot_posted_messages ADD COLUMN IF NOT EXISTS admin_id BIGINT",
        // The ids of received updates, kept for `SeenUpdates.retention` after they came whatever became of the
        // update, so a webhook re-post of one already handled is not stored again. No index on `received_at`: the
        // hourly tidying scans two days of ids, cheaper than one more index write per update.
        """
        CREATE TABLE IF NOT EXISTS exchange_bot_seen_updates (
            update_id BIGINT PRIMARY KEY,
            received_at TIMESTAMP WITHOUT TIME ZONE NOT NULL
        )
        """,
        // Updates still waiting when the table came were received: remembered from their own receipt.
        """
        INSERT INTO exchange_bot_seen_updates (update_id, received_at)
        SELECT update_id, received_at FROM exchange_bot_updates
        ON CONFLICT (update_id) DO NOTHING
        """,
    ]
}
