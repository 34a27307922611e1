import ExchangeBotCore
import Fernet
import Foundation
import GRDB

/// Changes to keys: each one, its audit entry and the event people must hear about are one transaction.
extension SQLiteExchangeStore {
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
            try KeyValidation.save(db, keyID: id, report: submission.report, at: submission.at)
            try Self.saveCredentialsTime(db, keyID: id, at: submission.at)
            var entry = audit
            entry.keyID = id
            try AuditLog.insert(db, entry)
            let key = try self.requireKey(db, id: id)
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
            // A refused change changes nothing, its label included: the duplicate check comes before any write.
            if let credentials = change.credentials,
                let existing = try self.duplicate(db, userID: ownerID, credentials: credentials, except: id)
            {
                return .duplicate(existingID: existing)
            }
            try Self.pinVersion(db, keyID: id)
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
                    kind: .relabeled(try KeyValidation.report(db, keyID: id)),
                    key: try self.requireKey(db, id: id),
                    decidedBy: nil,
                    at: change.at
                )
            }
            if let credentials = change.credentials, let secret {
                try db.execute(
                    sql: """
                        UPDATE user_exchanges SET api_key = ?, api_secret = ?, passphrase = ?, status = 'PENDING',
                            is_active = 0, error_message = NULL, updated_at = ?
                        WHERE id = ?
                        """,
                    arguments: [credentials.apiKey, secret, passphrase, now, id]
                )
                if let report = change.report {
                    try KeyValidation.save(db, keyID: id, report: report, at: change.at)
                }
                try Self.saveCredentialsTime(db, keyID: id, at: change.at)
                // New credentials were just checked: a hold from a failed health check no longer applies.
                try db.execute(sql: "DELETE FROM key_holds WHERE exchange_id = ?", arguments: [id])
                let updated = try self.requireKey(db, id: id)
                event = try self.enqueue(
                    db,
                    kind: .submitted(change.report),
                    key: updated,
                    decidedBy: nil,
                    at: change.at
                )
            }
            try AuditLog.insert(db, audit)
            return .updated(try self.requireKey(db, id: id), event: event)
        }
    }

    public func setActive(id: Int64, ownerID: Int64, active: Bool, freshReport: ValidationReport?, audit: AuditEntry)
        async throws -> UpdateOutcome
    {
        try await writer.write { db in
            guard let key = try self.fetchKey(db, id: id), key.userID == ownerID else { return .notFound }
            if active && key.status != .approved { return .notApproved(key.status) }
            try Self.pinVersion(db, keyID: id)
            if active {
                let held = try Self.isHeld(db, keyID: id)
                if held && freshReport == nil { return .checkRequired }
                if let freshReport {
                    try KeyValidation.save(db, keyID: id, report: freshReport, at: audit.at)
                    try db.execute(sql: "DELETE FROM key_holds WHERE exchange_id = ?", arguments: [id])
                    try db.execute(sql: "UPDATE user_exchanges SET error_message = NULL WHERE id = ?", arguments: [id])
                }
            }
            try db.execute(
                sql: "UPDATE user_exchanges SET is_active = ?, updated_at = ? WHERE id = ?",
                arguments: [active, DatabaseDate.format(audit.at), id]
            )
            try AuditLog.insert(db, audit)
            return .updated(try self.requireKey(db, id: id), event: nil)
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
            try AuditLog.insert(db, audit)
            return .deleted(event: event)
        }
    }

    public func decide(id: Int64, decision: Decision, expectedRevision: String?, audit: AuditEntry) async throws
        -> DecisionOutcome
    {
        try await writer.write { db in
            guard let key = try self.fetchKey(db, id: id) else { return .notFound }
            guard key.status == .pending else {
                return .alreadyDecided(key.status, by: try AuditLog.decider(db, keyID: id))
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
            try AuditLog.insert(db, audit)
            let decided = try self.requireKey(db, id: id)
            let event = try self.enqueue(db, kind: kind, key: decided, decidedBy: audit.caller, at: audit.at)
            return .decided(decided, event: event)
        }
    }

    // MARK: - Key versions

    /// Gives a row written by another system its credentials time (its `updated_at`, which its revision has
    /// followed so far) before this service changes `updated_at` for something else, so a rename or an
    /// activation keeps the revision.
    static func pinVersion(_ db: Database, keyID: Int64) throws {
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO key_versions (exchange_id, credentials_at)
                SELECT id, coalesce(updated_at, '1970-01-01 00:00:00.000000') FROM user_exchanges WHERE id = ?
                """,
            arguments: [keyID]
        )
    }

    /// Records when a key's credentials were set: part of its ``ExchangeKey/revision``.
    static func saveCredentialsTime(_ db: Database, keyID: Int64, at date: Date) throws {
        try db.execute(
            sql: "INSERT OR REPLACE INTO key_versions (exchange_id, credentials_at) VALUES (?, ?)",
            arguments: [keyID, DatabaseDate.format(date)]
        )
    }
}
