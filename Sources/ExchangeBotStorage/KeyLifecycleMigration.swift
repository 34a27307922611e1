import Foundation
import GRDB

/// The `v5-hardening-store` migration: key ids that are never reused, and this service's own tables for key
/// versions, health holds, service alerts, the key-check budget and parked outbox rows.
enum KeyLifecycleMigration {
    static let identifier = "v5-hardening-store"

    static func migrate(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE IF NOT EXISTS key_versions (
                    exchange_id INTEGER PRIMARY KEY REFERENCES user_exchanges(id) ON DELETE CASCADE,
                    credentials_at DATETIME NOT NULL
                );
                CREATE TABLE IF NOT EXISTS key_holds (
                    exchange_id INTEGER PRIMARY KEY REFERENCES user_exchanges(id) ON DELETE CASCADE,
                    reason TEXT NOT NULL,
                    since DATETIME NOT NULL
                );
                CREATE TABLE IF NOT EXISTS service_alerts (
                    code TEXT PRIMARY KEY,
                    since DATETIME NOT NULL
                );
                CREATE INDEX IF NOT EXISTS audit_log_user_action ON audit_log(user_id, action, id);
                ALTER TABLE outbox ADD COLUMN parked_at DATETIME;
                DROP INDEX IF EXISTS outbox_undelivered;
                CREATE INDEX outbox_undelivered ON outbox(id) WHERE delivered_at IS NULL AND parked_at IS NULL;
                CREATE INDEX outbox_delivered ON outbox(delivered_at) WHERE delivered_at IS NOT NULL;
                """
        )
        // A request posted before this migration names the key version by its `updated_at`: keep those requests
        // decidable by starting each key's credentials time there.
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO key_versions (exchange_id, credentials_at)
                SELECT id, coalesce(updated_at, '1970-01-01 00:00:00.000000') FROM user_exchanges
                """
        )
        try KeyIDRebuild.run(db)
    }
}

/// Rebuilds `user_exchanges` with `AUTOINCREMENT`, so a deleted key's id is never given to another key (an old
/// admin request names its key by id).
///
/// The table may have been created by the Python side, with columns or constraints this service does not know:
/// the new table is the old one's own `CREATE TABLE` text with only `AUTOINCREMENT` added, every column is copied
/// by name, and the old table's indexes and triggers are created again. The sequence starts above every id this
/// database has seen (in the table, the audit log and the bot's posted requests). GRDB runs migrations with
/// foreign keys off and checks them before commit, as SQLite's table-rebuild procedure requires.
enum KeyIDRebuild {
    static func run(_ db: Database) throws {
        guard
            let sql = try String.fetchOne(
                db,
                sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'user_exchanges'"
            ),
            !sql.uppercased().contains("AUTOINCREMENT"),
            let rebuilt = autoincrementing(sql)
        else { return }
        let dependents = try String.fetchAll(
            db,
            sql: """
                SELECT sql FROM sqlite_master
                WHERE tbl_name = 'user_exchanges' AND type IN ('index', 'trigger') AND sql IS NOT NULL
                """
        )
        let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(user_exchanges)")
            .map { "\"" + ($0["name"] as String).replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
            .joined(separator: ", ")
        try db.execute(sql: rebuilt)
        try db.execute(sql: "INSERT INTO user_exchanges_v5 (\(columns)) SELECT \(columns) FROM user_exchanges")
        try db.execute(sql: "DROP TABLE user_exchanges")
        try renameIntoPlace(db)
        for statement in dependents { try db.execute(sql: statement) }
        var highest = try Int64.fetchOne(db, sql: "SELECT max(id) FROM user_exchanges") ?? 0
        highest = max(highest, try Int64.fetchOne(db, sql: "SELECT max(exchange_id) FROM audit_log") ?? 0)
        if try db.tableExists("bot_posted") {
            highest = max(highest, try Int64.fetchOne(db, sql: "SELECT max(key_id) FROM bot_posted") ?? 0)
        }
        try db.execute(sql: "DELETE FROM sqlite_sequence WHERE name = 'user_exchanges'")
        try db.execute(
            sql: "INSERT INTO sqlite_sequence (name, seq) VALUES ('user_exchanges', ?)",
            arguments: [highest]
        )
    }

    /// Renames the new table to `user_exchanges` in SQLite's legacy mode. A view or a trigger that another system
    /// created on `user_exchanges` (or that names it, on another table) is left as it is and reads the new table by
    /// its name; the modern rename would instead re-check every view and trigger while the old table is gone and
    /// fail with "error in view …: no such table", and the service could not start.
    static func renameIntoPlace(_ db: Database) throws {
        let legacy = try Bool.fetchOne(db, sql: "PRAGMA legacy_alter_table") ?? false
        try db.execute(sql: "PRAGMA legacy_alter_table = ON")
        do {
            try db.execute(sql: "ALTER TABLE user_exchanges_v5 RENAME TO user_exchanges")
        } catch {
            if !legacy { try? db.execute(sql: "PRAGMA legacy_alter_table = OFF") }
            throw error
        }
        if !legacy { try db.execute(sql: "PRAGMA legacy_alter_table = OFF") }
    }

    /// The `CREATE TABLE` text under the temporary name with `AUTOINCREMENT` on its integer primary key, for both
    /// the column form (`id INTEGER PRIMARY KEY`, ours) and the table-constraint form (`PRIMARY KEY (id)`,
    /// SQLAlchemy's); `nil` when the key is written some other way (the table is then left as it is).
    static func autoincrementing(_ sql: String) -> String? {
        let options: String.CompareOptions = [.regularExpression, .caseInsensitive]
        guard
            let name = sql.range(
                of:
                    #"^\s*CREATE\s+TABLE\s+(IF\s+NOT\s+EXISTS\s+)?("user_exchanges"|`user_exchanges`|\[user_exchanges\]|user_exchanges)"#,
                options: options
            )
        else { return nil }
        var text = sql.replacingCharacters(in: name, with: "CREATE TABLE user_exchanges_v5")
        if let column = text.range(
            of: #"(?<![A-Za-z0-9_])["`\[]?id["`\]]?\s+INTEGER\s+(NOT\s+NULL\s+)?PRIMARY\s+KEY(\s+ASC)?"#,
            options: options
        ) {
            text.replaceSubrange(column, with: text[column] + " AUTOINCREMENT")
            return text
        }
        if let constraint = text.range(of: #"PRIMARY\s+KEY\s*\(\s*["`\[]?id["`\]]?\s*\)"#, options: options) {
            text.replaceSubrange(constraint, with: "PRIMARY KEY (id AUTOINCREMENT)")
            return text
        }
        return nil
    }
}
