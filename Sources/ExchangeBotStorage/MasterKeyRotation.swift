import ExchangeBotCore
import Fernet
import Foundation
import GRDB

/// Re-encrypts every stored secret and passphrase under the primary master key (`rotate-key`), and the API keys
/// the Python side stored as Fernet tokens, and the undelivered outbox events.
///
/// The guarantees, in order: every token is opened and re-sealed in memory first, and each new token is read back
/// before anything is written; if any token opens with none of the keys, nothing is written at all; the writes
/// and the audit entry are one transaction, so a crash at any point leaves every row readable under the old or
/// the new key; original Fernet timestamps are kept. Reports carry counts and key fingerprints, never secrets.
public enum MasterKeyRotation {
    /// Shared with the PostgreSQL rotation, so the command line reads one report (and one refusal) for both engines.
    public typealias Report = MasterKeyRotationReport
    public typealias UnreadableSecrets = ExchangeBotCore.UnreadableSecrets

    /// Rotates all rows in one transaction.
    ///
    /// - Parameter afterRowWritten: called after each row's update inside the transaction; tests throw from it to
    ///   prove that a failure midway rolls everything back.
    public static func rotate(
        _ database: AppDatabase,
        ring: MultiFernet,
        at date: Date = Date(),
        afterRowWritten: (Int) throws -> Void = { _ in }
    ) throws -> Report {
        try database.writer.write { db in
            let rows = try StoredRow.fetchAll(db)
            // The cryptography is pure and independent per row: spread it over the cores while the write
            // transaction holds the database.
            let outcomes = ParallelMap.map(rows) { row in Result { () throws(FernetError) in try rotated(row, ring) } }
            var updates = [RotatedRow]()
            updates.reserveCapacity(rows.count)
            var unreadable = [Int64]()
            var report = Report(
                rows: rows.count,
                secrets: 0,
                passphrases: 0,
                alreadyUnderPrimary: 0,
                primaryFingerprint: ring.primary.key.fingerprint
            )
            for (row, outcome) in zip(rows, outcomes) {
                switch outcome {
                case .success(let update):
                    updates.append(update)
                    report.secrets += 1
                    report.passphrases += update.passphrase == nil ? 0 : 1
                    report.apiKeys += update.apiKey == nil ? 0 : 1
                    report.alreadyUnderPrimary += update.wasUnderPrimary ? 1 : 0
                case .failure:
                    unreadable.append(row.id)
                }
            }
            let bot = try BotTokens.fetch(db) + OutboxTokens.fetch(db)
            let botOutcomes = ParallelMap.map(bot) { row in
                Result { () throws(FernetError) in try ring.rotate(row.token, verifying: true) }
            }
            let botFailures = botOutcomes.filter { if case .failure = $0 { true } else { false } }.count
            guard unreadable.isEmpty, botFailures == 0 else {
                throw UnreadableSecrets(rowIDs: unreadable, botTokens: botFailures)
            }
            report.outboxEvents = bot.filter { $0.table == OutboxTokens.table }.count
            report.botTokens = bot.count - report.outboxEvents

            try RotatedRow.write(updates, in: db, afterRowWritten: afterRowWritten)
            for (row, outcome) in zip(bot, botOutcomes) {
                guard case .success(let token) = outcome else { continue }
                if row.table == OutboxTokens.table {
                    try OutboxTokens.store(db, row, token: token)
                } else {
                    try BotTokens.store(db, row, token: token)
                }
            }
            try AuditLog.insert(
                db,
                AuditEntry(
                    at: date,
                    caller: .system,
                    action: .rotateMasterKey,
                    outcome: .succeeded,
                    detail: "rows=\(report.rows) secrets=\(report.secrets) passphrases=\(report.passphrases) "
                        + "api_keys=\(report.apiKeys) outbox=\(report.outboxEvents) primary=\(report.primaryFingerprint)"
                )
            )
            return report
        }
    }
}

/// A row's encrypted columns as read.
private struct StoredRow: Sendable {
    let id: Int64
    let apiKey: String
    let secret: String
    let passphrase: String?

    /// Every key row, read by column position from one cursor: the names would be looked up again on each row.
    static func fetchAll(_ db: Database) throws -> [StoredRow] {
        var rows = [StoredRow]()
        rows.reserveCapacity(try Int.fetchOne(db, sql: "SELECT count(*) FROM user_exchanges") ?? 0)
        let cursor = try Row.fetchCursor(
            db,
            sql: "SELECT id, api_key, api_secret, passphrase FROM user_exchanges ORDER BY id"
        )
        while let row = try cursor.next() {
            rows.append(StoredRow(id: row[0], apiKey: row[1], secret: row[2], passphrase: row[3]))
        }
        return rows
    }
}

/// A row's columns re-sealed under the primary key; `apiKey` only where it is stored as a token.
private struct RotatedRow: Sendable {
    let id: Int64
    let apiKey: String?
    let secret: String
    let passphrase: String?
    let wasUnderPrimary: Bool

    /// Writes the re-sealed rows with one prepared statement, its arguments set without re-validation.
    static func write(_ rows: [RotatedRow], in db: Database, afterRowWritten: (Int) throws -> Void) throws {
        let statement = try db.makeStatement(
            sql: "UPDATE user_exchanges SET api_secret = ?, passphrase = ?, api_key = coalesce(?, api_key) WHERE id = ?"
        )
        for (index, row) in rows.enumerated() {
            statement.setUncheckedArguments([
                row.secret.databaseValue, row.passphrase.databaseValue, row.apiKey.databaseValue,
                row.id.databaseValue,
            ])
            try statement.execute()
            try afterRowWritten(index)
        }
    }
}

private func rotated(_ row: StoredRow, _ ring: MultiFernet) throws(FernetError) -> RotatedRow {
    let secret = try ring.rotateReportingKey(row.secret, verifying: true)
    let passphrase = try row.passphrase.map { (token) throws(FernetError) in try ring.rotate(token, verifying: true) }
    let apiKey = FernetShape.isToken(row.apiKey) ? try ring.rotate(row.apiKey, verifying: true) : nil
    return RotatedRow(
        id: row.id,
        apiKey: apiKey,
        secret: secret.token,
        passphrase: passphrase,
        wasUnderPrimary: secret.previousKeyIndex == 0
    )
}

/// The bot's sealed columns: conversation states and received updates.
enum BotTokens {
    struct Row: Sendable {
        let table: String
        let id: Int64
        let token: String
    }

    static func fetch(_ db: Database) throws -> [Row] {
        guard try db.tableExists("bot_conversations"), try db.tableExists("bot_inbox") else { return [] }
        let conversations = try GRDB.Row.fetchAll(db, sql: "SELECT telegram_id, state FROM bot_conversations")
            .map { Row(table: "bot_conversations", id: $0["telegram_id"], token: $0["state"]) }
        let inbox = try GRDB.Row.fetchAll(db, sql: "SELECT update_id, payload FROM bot_inbox")
            .map { Row(table: "bot_inbox", id: $0["update_id"], token: $0["payload"]) }
        return conversations + inbox
    }

    static func store(_ db: Database, _ row: Row, token: String) throws {
        switch row.table {
        case "bot_conversations":
            try db.execute(
                sql: "UPDATE bot_conversations SET state = ? WHERE telegram_id = ?",
                arguments: [token, row.id]
            )
        default:
            try db.execute(sql: "UPDATE bot_inbox SET payload = ? WHERE update_id = ?", arguments: [token, row.id])
        }
    }
}

/// The outbox's sealed events that still matter: undelivered and not parked. Delivered rows keep the key they
/// were sealed with until they are pruned.
enum OutboxTokens {
    static let table = "outbox"

    static func fetch(_ db: Database) throws -> [BotTokens.Row] {
        try GRDB.Row.fetchAll(
            db,
            sql: """
                SELECT id, event FROM outbox
                WHERE delivered_at IS NULL AND parked_at IS NULL AND event NOT LIKE '{%'
                """
        ).map { BotTokens.Row(table: table, id: $0["id"], token: $0["event"]) }
    }

    static func store(_ db: Database, _ row: BotTokens.Row, token: String) throws {
        try db.execute(sql: "UPDATE outbox SET event = ? WHERE id = ?", arguments: [token, row.id])
    }
}
