import ExchangeBotCore
import Fernet
import Foundation
import GRDB

/// The ``ExchangeStore`` on SQLite: the seed's tables, Fernet at rest, and this service's audit log, validation
/// reports and outbox.
///
/// Secrets and passphrases are encrypted with the master key ring's primary key before they reach SQL, and only
/// ``credentials(ofKey:)`` opens them again.
public struct SQLiteExchangeStore: ExchangeStore {
    public let database: AppDatabase
    let ring: MultiFernet

    public init(database: AppDatabase, ring: MultiFernet) {
        self.database = database
        self.ring = ring
    }

    var writer: any DatabaseWriter { database.writer }

    // MARK: - Users

    public func user(id: Int64) async throws -> User? {
        try await writer.read { db in try Self.fetchUser(db, id: id) }
    }

    /// Creates a user the way the seed system's sign-up does (REST users, tests, administration).
    public func createUser(username: String?, email: String?, isAdmin: Bool = false, at date: Date) async throws -> User
    {
        try await writer.write { db in
            try db.execute(
                sql: "INSERT INTO users (username, email, is_admin, is_active, created_at) VALUES (?, ?, ?, 1, ?)",
                arguments: [username, email, isAdmin, DatabaseDate.format(date)]
            )
            return try Self.fetchUser(db, id: db.lastInsertedRowID)!
        }
    }

    static func fetchUser(_ db: Database, id: Int64) throws -> User? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM users WHERE id = ?"), arguments: [id]).map {
            RowMapping.user($0, prefix: "")
        }
    }

    // MARK: - Keys

    public func keys(ofUser userID: Int64) async throws -> [ExchangeKey] {
        try await writer.read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT \(RowMapping.keyColumns) FROM user_exchanges e WHERE e.user_id = ? ORDER BY e.id"
                ),
                arguments: [userID]
            ).map(key(from:))
        }
    }

    public func key(id: Int64) async throws -> ExchangeKey? {
        try await writer.read { db in try self.fetchKey(db, id: id) }
    }

    func fetchKey(_ db: Database, id: Int64) throws -> ExchangeKey? {
        try Row.fetchOne(
            db,
            sql: "SELECT \(RowMapping.keyColumns) FROM user_exchanges e WHERE e.id = ?",
            arguments: [id]
        ).map(key(from:))
    }

    public func insertKey(_ submission: StoredKeySubmission, audit: AuditEntry) async throws -> InsertOutcome {
        let credentials = submission.credentials
        let secret = ring.encrypt(credentials.apiSecret.exposedValue, at: submission.at)
        let passphrase = credentials.passphrase.map { ring.encrypt($0.exposedValue, at: submission.at) }
        return try await writer.write { db in
            if let existing = try self.duplicate(db, userID: submission.userID, credentials: credentials, except: nil) {
                return .duplicate(existingID: existing)
            }
            let now = DatabaseDate.format(submission.at)
            try db.execute(
                sql: """
                    INSERT INTO user_exchanges (user_id, exchange_name, label, api_key, api_secret, passphrase, status,
                        is_active, error_message, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, 'PENDING', 0, NULL, ?, ?)
                    """,
                arguments: [
                    submission.userID, credentials.exchange.rawValue, submission.label, credentials.apiKey, secret,
                    passphrase, now, now,
                ]
            )
            let id = db.lastInsertedRowID
            try Self.saveReport(db, exchangeID: id, report: submission.report, at: submission.at)
            try Self.saveCredentialsTime(db, exchangeID: id, at: submission.at)
            var entry = audit
            entry.exchangeID = id
            try Self.insertAudit(db, entry)
            let key = try self.fetchKey(db, id: id)!
            let event = try self.enqueue(
                db,
                kind: .submitted(submission.report),
                key: key,
                decidedBy: nil,
                at: submission.at
            )
            return .inserted(key, event: event)
        }
    }

    public func updateKey(id: Int64, ownerID: Int64, change: KeyChange, audit: AuditEntry) async throws
        -> UpdateOutcome
    {
        let secret = change.credentials.map { ring.encrypt($0.apiSecret.exposedValue, at: change.at) }
        let passphrase = change.credentials?.passphrase.map { ring.encrypt($0.exposedValue, at: change.at) }
        return try await writer.write { db in
            guard let key = try self.fetchKey(db, id: id), key.userID == ownerID else { return .notFound }
            try Self.pinVersion(db, exchangeID: id)
            let now = DatabaseDate.format(change.at)
            if let label = change.label {
                try db.execute(
                    sql: "UPDATE user_exchanges SET label = ?, updated_at = ? WHERE id = ?",
                    arguments: [label, now, id]
                )
            }
            var event: KeyEvent?
            if change.label != nil, change.credentials == nil, key.status == .pending {
                // The request admins see shows the old label: post it again with the new one. The key's revision
                // does not depend on its label, so a decision already under way still lands.
                event = try self.enqueue(
                    db,
                    kind: .relabeled(try Self.report(db, exchangeID: id)),
                    key: try self.fetchKey(db, id: id)!,
                    decidedBy: nil,
                    at: change.at
                )
            }
            if let credentials = change.credentials, let secret {
                if let existing = try self.duplicate(db, userID: ownerID, credentials: credentials, except: id) {
                    return .duplicate(existingID: existing)
                }
                try db.execute(
                    sql: """
                        UPDATE user_exchanges SET api_key = ?, api_secret = ?, passphrase = ?, status = 'PENDING',
                            is_active = 0, error_message = NULL, updated_at = ?
                        WHERE id = ?
                        """,
                    arguments: [credentials.apiKey, secret, passphrase, now, id]
                )
                if let report = change.report {
                    try Self.saveReport(db, exchangeID: id, report: report, at: change.at)
                }
                try Self.saveCredentialsTime(db, exchangeID: id, at: change.at)
                // New credentials were just checked: a hold from a failed health check no longer applies.
                try db.execute(sql: "DELETE FROM key_holds WHERE exchange_id = ?", arguments: [id])
                let updated = try self.fetchKey(db, id: id)!
                event = try self.enqueue(
                    db,
                    kind: .submitted(change.report),
                    key: updated,
                    decidedBy: nil,
                    at: change.at
                )
            }
            try Self.insertAudit(db, audit)
            return .updated(try self.fetchKey(db, id: id)!, event: event)
        }
    }

    public func setActive(id: Int64, ownerID: Int64, active: Bool, freshReport: ValidationReport?, audit: AuditEntry)
        async throws -> UpdateOutcome
    {
        try await writer.write { db in
            guard let key = try self.fetchKey(db, id: id), key.userID == ownerID else { return .notFound }
            if active && key.status != .approved { return .notApproved(key.status) }
            try Self.pinVersion(db, exchangeID: id)
            if active {
                let held = try Self.isHeld(db, exchangeID: id)
                if held && freshReport == nil { return .checkRequired }
                if let freshReport {
                    try Self.saveReport(db, exchangeID: id, report: freshReport, at: audit.at)
                    try db.execute(sql: "DELETE FROM key_holds WHERE exchange_id = ?", arguments: [id])
                    try db.execute(sql: "UPDATE user_exchanges SET error_message = NULL WHERE id = ?", arguments: [id])
                }
            }
            try db.execute(
                sql: "UPDATE user_exchanges SET is_active = ?, updated_at = ? WHERE id = ?",
                arguments: [active, DatabaseDate.format(audit.at), id]
            )
            try Self.insertAudit(db, audit)
            return .updated(try self.fetchKey(db, id: id)!, event: nil)
        }
    }

    public func deleteKey(id: Int64, ownerID: Int64, audit: AuditEntry) async throws -> DeleteOutcome {
        try await writer.write { db in
            guard let key = try self.fetchKey(db, id: id), key.userID == ownerID else { return .notFound }
            // The event is written before the row goes: it carries the key as admins last saw it.
            let event =
                key.status == .pending
                ? try self.enqueue(db, kind: .withdrawn, key: key, decidedBy: audit.caller, at: audit.at) : nil
            try db.execute(sql: "DELETE FROM user_exchanges WHERE id = ? AND user_id = ?", arguments: [id, ownerID])
            try Self.insertAudit(db, audit)
            return .deleted(event: event)
        }
    }

    public func decide(id: Int64, decision: Decision, expectedRevision: String?, audit: AuditEntry) async throws
        -> DecisionOutcome
    {
        try await writer.write { db in
            guard let key = try self.fetchKey(db, id: id) else { return .notFound }
            guard key.status == .pending else {
                return .alreadyDecided(key.status, by: try Self.decider(db, exchangeID: id))
            }
            if let expectedRevision, key.revision != expectedRevision { return .outdated }
            let now = DatabaseDate.format(audit.at)
            let kind: KeyEvent.Kind
            switch decision {
            case .approve(let message):
                try db.execute(
                    sql:
                        "UPDATE user_exchanges SET status = 'APPROVED', error_message = NULL, updated_at = ? WHERE id = ?",
                    arguments: [now, id]
                )
                kind = .approved(message: message)
            case .reject(let reason):
                try db.execute(
                    sql: """
                        UPDATE user_exchanges SET status = 'REJECTED', is_active = 0, error_message = ?, updated_at = ?
                        WHERE id = ?
                        """,
                    arguments: [reason, now, id]
                )
                kind = .rejected(reason: reason)
            }
            try Self.insertAudit(db, audit)
            let decided = try self.fetchKey(db, id: id)!
            let event = try self.enqueue(db, kind: kind, key: decided, decidedBy: audit.caller, at: audit.at)
            return .decided(decided, event: event)
        }
    }

    public func decider(ofKey id: Int64) async throws -> String? {
        try await writer.read { db in try Self.decider(db, exchangeID: id) }
    }

    public func pendingRequests() async throws -> [PendingRequest] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(RowMapping.keyColumns), \(RowMapping.userColumns), v.report
                    FROM user_exchanges e
                    JOIN users u ON u.id = e.user_id
                    LEFT JOIN key_validation v ON v.exchange_id = e.id
                    WHERE coalesce(upper(e.status), 'PENDING') = 'PENDING'
                    ORDER BY e.id
                    """
            ).map { row in
                PendingRequest(
                    key: self.key(from: row),
                    owner: RowMapping.user(row),
                    report: Self.decodeReport(row["report"])
                )
            }
        }
    }

    /// The validation report stored for a key, if any.
    public func report(ofKey id: Int64) async throws -> ValidationReport? {
        let json = try await writer.read { db in
            try String.fetchOne(db, sql: "SELECT report FROM key_validation WHERE exchange_id = ?", arguments: [id])
        }
        return Self.decodeReport(json)
    }

    public func approvedKeys() async throws -> [ExchangeKey] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(RowMapping.keyColumns) FROM user_exchanges e
                    WHERE upper(e.status) = 'APPROVED'
                        AND (NOT EXISTS (SELECT 1 FROM key_holds h WHERE h.exchange_id = e.id)
                            -- A held key is inactive unless the Python side, which knows nothing of holds,
                            -- activated it again: then it is checked like any active key.
                            OR coalesce(e.is_active, 0) != 0)
                    ORDER BY e.id
                    """
            ).map(key(from:))
        }
    }

    public func credentials(ofKey id: Int64) async throws -> Credentials? {
        let stored = try await writer.read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT exchange_name, api_key, api_secret, passphrase FROM user_exchanges WHERE id = ?",
                arguments: [id]
            ).map { row in
                StoredSecrets(
                    exchangeName: row["exchange_name"],
                    apiKey: row["api_key"],
                    secretToken: row["api_secret"],
                    passphraseToken: row["passphrase"]
                )
            }
        }
        guard let stored else { return nil }
        guard let exchange = ExchangeID(normalizing: stored.exchangeName) else {
            throw ApprovalError.unknownExchange(stored.exchangeName)
        }
        do {
            let secret = try ring.decryptString(stored.secretToken)
            let passphrase = try stored.passphraseToken.map { (token) throws(FernetError) in
                try ring.decryptString(token)
            }
            return Credentials(
                exchange: exchange,
                apiKey: stored.apiKey,
                apiSecret: SecretString(secret),
                passphrase: passphrase.map(SecretString.init)
            )
        } catch {
            throw ApprovalError.secretUnreadable
        }
    }

    // MARK: - Audit log

    public func recordAudit(_ entry: AuditEntry) async throws {
        try await writer.write { db in try Self.insertAudit(db, entry) }
    }

    /// The newest audit entries, newest first (for administration and tests).
    public func auditLog(limit: Int = 100) async throws -> [AuditEntry] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", arguments: [limit]).map {
                row in
                AuditEntry(
                    at: RowMapping.date(row["at"]) ?? Date(timeIntervalSince1970: 0),
                    caller: Caller(userID: row["user_id"], telegramID: row["telegram_id"], displayName: row["actor"]),
                    action: AuditAction(rawValue: row["action"]) ?? .updateKey,
                    exchangeID: row["exchange_id"],
                    outcome: AuditOutcome(rawValue: row["outcome"]) ?? .failed,
                    detail: row["detail"]
                )
            }
        }
    }

    static func insertAudit(_ db: Database, _ entry: AuditEntry) throws {
        try db.execute(
            sql: """
                INSERT INTO audit_log (at, user_id, telegram_id, actor, action, exchange_id, outcome, detail)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                DatabaseDate.format(entry.at), entry.caller.userID, entry.caller.telegramID, entry.caller.displayName,
                entry.action.rawValue, entry.exchangeID, entry.outcome.rawValue, entry.detail,
            ]
        )
    }

    /// Who made the decision that stands on a key, from the audit log.
    static func decider(_ db: Database, exchangeID: Int64) throws -> String? {
        try String.fetchOne(
            db,
            sql: """
                SELECT actor FROM audit_log WHERE exchange_id = ? AND action IN (?, ?) AND outcome = ?
                ORDER BY id DESC LIMIT 1
                """,
            arguments: [
                exchangeID, AuditAction.approveKey.rawValue, AuditAction.rejectKey.rawValue,
                AuditOutcome.succeeded.rawValue,
            ]
        )
    }

    // MARK: - Helpers

    /// Another key of this user on this exchange (or its alias) with the same API key, compared after opening
    /// API keys the Python side stored encrypted.
    func duplicate(_ db: Database, userID: Int64, credentials: Credentials, except id: Int64?) throws -> Int64? {
        let names = credentials.exchange.storedNames
        let placeholders = names.map { _ in "?" }.joined(separator: ", ")
        var arguments: StatementArguments = [userID]
        arguments += StatementArguments(names)
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT id, api_key FROM user_exchanges WHERE user_id = ? AND lower(exchange_name) IN (\(placeholders))
                """,
            arguments: arguments
        )
        return rows.first { row in
            (row["id"] as Int64) != id && revealAPIKey(row["api_key"]) == credentials.apiKey
        }.map { $0["id"] }
    }

    /// A row as a key, its API key opened if the Python side stored it as a Fernet token (newer seed versions
    /// encrypt it too; this service stores it in plain text, as the schema documents).
    func key(from row: Row) -> ExchangeKey {
        var key = RowMapping.key(row)
        key.apiKey = revealAPIKey(key.apiKey)
        return key
    }

    func revealAPIKey(_ stored: String) -> String {
        guard stored.hasPrefix("gAAAAA"), let plain = try? ring.decryptString(stored) else { return stored }
        return plain
    }

    static func saveReport(_ db: Database, exchangeID: Int64, report: ValidationReport, at date: Date) throws {
        let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        try db.execute(
            sql: "INSERT OR REPLACE INTO key_validation (exchange_id, report, checked_at) VALUES (?, ?, ?)",
            arguments: [exchangeID, json, DatabaseDate.format(date)]
        )
    }

    static func report(_ db: Database, exchangeID: Int64) throws -> ValidationReport? {
        decodeReport(
            try String.fetchOne(
                db,
                sql: "SELECT report FROM key_validation WHERE exchange_id = ?",
                arguments: [exchangeID]
            )
        )
    }

    /// Gives a row written by another system its credentials time (its `updated_at`, which its revision has
    /// followed so far) before this service changes `updated_at` for something else, so a rename or an
    /// activation keeps the revision.
    static func pinVersion(_ db: Database, exchangeID: Int64) throws {
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO key_versions (exchange_id, credentials_at)
                SELECT id, coalesce(updated_at, '1970-01-01 00:00:00.000000') FROM user_exchanges WHERE id = ?
                """,
            arguments: [exchangeID]
        )
    }

    /// Records when a key's credentials were set: part of its ``ExchangeKey/revision``.
    static func saveCredentialsTime(_ db: Database, exchangeID: Int64, at date: Date) throws {
        try db.execute(
            sql: "INSERT OR REPLACE INTO key_versions (exchange_id, credentials_at) VALUES (?, ?)",
            arguments: [exchangeID, DatabaseDate.format(date)]
        )
    }

    static func decodeReport(_ json: String?) -> ValidationReport? {
        json.flatMap { try? JSONDecoder().decode(ValidationReport.self, from: Data($0.utf8)) }
    }
}

/// The encrypted columns of one key, as read.
private struct StoredSecrets: Sendable {
    let exchangeName: String
    let apiKey: String
    let secretToken: String
    let passphraseToken: String?
}
