import GRDB

/// The schema, as append-only migrations: a shipped migration is never edited, a change is a new one.
///
/// `v1-seed` creates the seed system's tables exactly as the Python side defines them, with `IF NOT EXISTS` so a
/// database that the Python side created is adopted as it is. The other tables are this service's own.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()

        migrator.registerMigration("v1-seed") { db in
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS users (
                        id INTEGER PRIMARY KEY,
                        username TEXT,
                        email TEXT,
                        telegram_id INTEGER UNIQUE,
                        language_code TEXT,
                        is_admin BOOLEAN NOT NULL DEFAULT 0,
                        is_active BOOLEAN NOT NULL DEFAULT 1,
                        created_at DATETIME
                    );
                    CREATE TABLE IF NOT EXISTS user_exchanges (
                        id INTEGER PRIMARY KEY,
                        user_id INTEGER NOT NULL REFERENCES users(id),
                        exchange_name VARCHAR(50) NOT NULL,
                        label VARCHAR(100) NOT NULL,
                        api_key VARCHAR(500) NOT NULL,
                        api_secret VARCHAR(500) NOT NULL,
                        passphrase VARCHAR(500),
                        status VARCHAR(20) DEFAULT 'PENDING',
                        is_active BOOLEAN DEFAULT FALSE,
                        error_message TEXT,
                        created_at DATETIME,
                        updated_at DATETIME
                    );
                    """
            )
        }

        migrator.registerMigration("v2-service-tables") { db in
            try db.execute(
                sql: """
                    CREATE INDEX IF NOT EXISTS user_exchanges_user_id ON user_exchanges(user_id);
                    CREATE INDEX IF NOT EXISTS user_exchanges_status ON user_exchanges(status);
                    CREATE TABLE audit_log (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        at DATETIME NOT NULL,
                        user_id INTEGER,
                        telegram_id INTEGER,
                        actor TEXT NOT NULL,
                        action TEXT NOT NULL,
                        exchange_id INTEGER,
                        outcome TEXT NOT NULL,
                        detail TEXT
                    );
                    CREATE INDEX audit_log_exchange_id ON audit_log(exchange_id, id);
                    CREATE TABLE key_validation (
                        exchange_id INTEGER PRIMARY KEY REFERENCES user_exchanges(id) ON DELETE CASCADE,
                        report TEXT NOT NULL,
                        checked_at DATETIME NOT NULL
                    );
                    CREATE TABLE outbox (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        event TEXT NOT NULL,
                        created_at DATETIME NOT NULL,
                        delivered_at DATETIME
                    );
                    CREATE INDEX outbox_undelivered ON outbox(id) WHERE delivered_at IS NULL;
                    """
            )
        }
        migrator.registerMigration("v3-telegram-bot") { db in
            // The bot's own tables. `bot_inbox.payload` and `bot_conversations.state` are Fernet tokens under the
            // master key (a user's message or draft may hold a secret); the rest holds no secret.
            try db.execute(
                sql: """
                    CREATE TABLE bot_state (
                        name TEXT PRIMARY KEY,
                        value TEXT NOT NULL
                    );
                    CREATE TABLE bot_inbox (
                        update_id INTEGER PRIMARY KEY,
                        payload TEXT NOT NULL,
                        received_at DATETIME NOT NULL
                    );
                    CREATE TABLE bot_conversations (
                        telegram_id INTEGER PRIMARY KEY,
                        state TEXT NOT NULL,
                        awaiting_service BOOLEAN NOT NULL DEFAULT 0,
                        updated_at DATETIME NOT NULL
                    );
                    CREATE TABLE bot_outgoing (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        action TEXT NOT NULL,
                        dedupe_key TEXT UNIQUE,
                        created_at DATETIME NOT NULL,
                        finished_at DATETIME,
                        result TEXT
                    );
                    CREATE INDEX bot_outgoing_queued ON bot_outgoing(id) WHERE finished_at IS NULL;
                    CREATE TABLE bot_posted (
                        chat_id INTEGER NOT NULL,
                        message_id INTEGER NOT NULL,
                        purpose TEXT NOT NULL,
                        key_id INTEGER NOT NULL,
                        text TEXT NOT NULL,
                        created_at DATETIME NOT NULL,
                        PRIMARY KEY (chat_id, message_id)
                    );
                    CREATE INDEX bot_posted_key ON bot_posted(key_id, purpose);
                    CREATE TABLE bot_unreachable (
                        telegram_id INTEGER PRIMARY KEY,
                        since DATETIME NOT NULL
                    );
                    """
            )
        }
        migrator.registerMigration("v4-telegram-lanes") { db in
            // Outgoing actions wait in lanes (one per chat, one for the admin group) and know their key, so the
            // sender reads only each lane's head and a decided key's unsent request can be dropped. Reason prompts
            // remember which version of the key they asked about. The JSON path names the layout in which builds
            // before this migration stored an action (Swift's synthesised `_0` keys of that day): it describes
            // those rows, frozen, and must not follow any later change to the action's type.
            try db.execute(
                sql: """
                    ALTER TABLE bot_outgoing ADD COLUMN lane INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE bot_outgoing ADD COLUMN key_id INTEGER;
                    UPDATE bot_outgoing SET lane = coalesce(
                        json_extract(action, '$.send._0.destination.chat._0'), 0)
                        WHERE finished_at IS NULL;
                    DROP INDEX bot_outgoing_queued;
                    CREATE INDEX bot_outgoing_queued ON bot_outgoing(lane, id) WHERE finished_at IS NULL;
                    CREATE INDEX bot_outgoing_key ON bot_outgoing(key_id) WHERE finished_at IS NULL;
                    ALTER TABLE bot_posted ADD COLUMN revision TEXT;
                    """
            )
        }
        // The database may be shared with the Python side, whose connections leave foreign keys off (SQLAlchemy's
        // default on SQLite): rows it orphaned (a key whose user it deleted, a report whose key it deleted) are
        // normal there. GRDB's default (`.deferred`) checks every foreign key of the whole database before commit
        // and would refuse to start on them. The rebuild needs foreign keys off (a `DROP TABLE` with them on would
        // cascade into `key_validation` and the other tables that name a key) and copies every row with its id, so
        // it cannot create a violation. So from here on migrations run with foreign keys off and unchecked (GRDB's
        // `disablingDeferredForeignKeyChecks`, which applies to the migrations registered after it); one that needs
        // a check makes its own with `db.checkForeignKeys(in:)` on the tables it changed. The bot migration touches
        // no foreign key: `.immediate`.
        migrator = migrator.disablingDeferredForeignKeyChecks()
        migrator.registerMigration(KeyLifecycleMigration.identifier, migrate: KeyLifecycleMigration.migrate)
        migrator.registerMigration("v6-hardening-bot", foreignKeyChecks: .immediate) { db in
            // An update whose handling reached the approval service says so, so a replay after a crash recognises
            // its own decision; an update that could not be handled is parked instead of coming back at the next
            // start behind newer ones. The admin group's migration is now stored with the group it moved from
            // (`telegram.admin_chat_migration`); the old record lacks that, so it is dropped: a send to the old id
            // answers with the new one and is learnt again.
            try db.execute(
                sql: """
                    ALTER TABLE bot_inbox ADD COLUMN outside_effect_started BOOLEAN NOT NULL DEFAULT 0;
                    ALTER TABLE bot_inbox ADD COLUMN parked_at DATETIME;
                    DELETE FROM bot_state WHERE name = 'telegram.admin_chat_id';
                    """
            )
        }
        migrator.registerMigration(AccountsMigration.identifier, migrate: AccountsMigration.migrate)
        migrator.registerMigration("v8-reason-prompt-admin", foreignKeyChecks: .immediate) { db in
            // A reason prompt names the admin who pressed Reject: only their reply becomes the reason.
            try db.execute(sql: "ALTER TABLE bot_posted ADD COLUMN admin_id INTEGER")
        }
        migrator.registerMigration("v9-seen-updates", foreignKeyChecks: .immediate) { db in
            // The ids of received updates, kept for `SeenUpdates.retention` after they came whatever became of the
            // update, so a webhook re-post of one already handled is not stored again. Updates still in the inbox
            // were received: they are remembered from their own receipt. No index on `received_at`: the hourly
            // tidying scans two days of ids, cheaper than one more index write per update.
            try db.execute(
                sql: """
                    CREATE TABLE bot_seen_updates (
                        update_id INTEGER PRIMARY KEY,
                        received_at DATETIME NOT NULL
                    );
                    INSERT INTO bot_seen_updates (update_id, received_at) SELECT update_id, received_at FROM bot_inbox;
                    """
            )
        }
        return migrator
    }
}
