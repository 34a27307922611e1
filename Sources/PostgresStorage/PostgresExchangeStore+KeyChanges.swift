import ExchangeBotCore
import Fernet
import Foundation
import PostgresNIO

/// Changes to keys: each one, its audit entry and the event people must hear about are one transaction, and each
/// starts by locking the rows its checks depend on.
extension PostgresExchangeStore {
    public func insertKey(_ submission: StoredKeySubmission, audit: AuditEntry) async throws -> InsertOutcome {
        let credentials = submission.credentials
        let secret = ring.encrypt(credentials.apiSecret.exposedValue, at: submission.at)
        let passphrase = credentials.passphrase.map { ring.encrypt($0.exposedValue, at: submission.at) }
        return try await transaction { session in
            // Two submissions of one key (a double click, two instances) wait here one after the other, so the
            // second sees the first's row.
            try await session.lockUser(id: submission.userID)
            if let existing = try await session.duplicate(
                userID: submission.userID,
                credentials: credentials,
                except: nil
            ) {
                return .duplicate(existingID: existing)
            }
            let now = PostgresExchangeRows.stored(submission.at)
            let inserted = try await session.rows(
                """
                INSERT INTO user_exchanges (user_id, exchange_name, label, api_key, api_secret, passphrase, status,
                    is_active, error_message, created_at, updated_at)
                VALUES (\(submission.userID), \(credentials.exchange.rawValue), \(submission.label),
                    \(credentials.apiKey), \(secret), \(passphrase), 'PENDING', FALSE, NULL, \(now), \(now))
                RETURNING id
                """
            )
            guard let id = try inserted.first?["id"].decode(Int64.self) else {
                throw PostgresExchangeStoreError.missingRow(table: "user_exchanges")
            }
            try await session.saveReport(keyID: id, report: submission.report, at: submission.at)
            try await session.saveCredentialsTime(keyID: id, at: submission.at)
            var entry = audit
            entry.keyID = id
            try await PostgresAuditLog.insert(session, entry)
            let key = try await session.requireKey(id: id)
            let event = try await enqueue(
                session,
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
        return try await transaction { session in
            guard let key = try await session.lockedKey(id: id), key.userID == ownerID else { return .notFound }
            // A refused change changes nothing, its label included: the duplicate check (under the owner's lock, so
            // no other instance adds the same key meanwhile) comes before any write.
            if let credentials = change.credentials {
                try await session.lockUser(id: ownerID)
                if let existing = try await session.duplicate(userID: ownerID, credentials: credentials, except: id) {
                    return .duplicate(existingID: existing)
                }
            }
            try await session.pinVersion(keyID: id)
            let now = PostgresExchangeRows.stored(change.at)
            if let label = change.label {
                try await session.execute(
                    "UPDATE user_exchanges SET label = \(label), updated_at = \(now) WHERE id = \(id)"
                )
            }
            var event: KeyEvent?
            if change.label != nil, change.credentials == nil, key.status == .pending {
                // The request admins see shows the old label: post it again with the new one. The key's revision
                // does not depend on its label, so a decision already under way still lands.
                event = try await enqueue(
                    session,
                    kind: .relabeled(try await session.report(keyID: id)),
                    key: try await session.requireKey(id: id),
                    decidedBy: nil,
                    at: change.at
                )
            }
            if let credentials = change.credentials, let secret {
                try await session.execute(
                    """
                    UPDATE user_exchanges SET api_key = \(credentials.apiKey), api_secret = \(secret),
                        passphrase = \(passphrase), status = 'PENDING', is_active = FALSE, error_message = NULL,
                        updated_at = \(now)
                    WHERE id = \(id)
                    """
                )
                if let report = change.report {
                    try await session.saveReport(keyID: id, report: report, at: change.at)
                }
                try await session.saveCredentialsTime(keyID: id, at: change.at)
                // New credentials were just checked: a hold from a failed health check no longer applies.
                try await session.liftHold(keyID: id)
                event = try await enqueue(
                    session,
                    kind: .submitted(change.report),
                    key: try await session.requireKey(id: id),
                    decidedBy: nil,
                    at: change.at
                )
            }
            try await PostgresAuditLog.insert(session, audit)
            return .updated(try await session.requireKey(id: id), event: event)
        }
    }

    public func setActive(id: Int64, ownerID: Int64, active: Bool, freshReport: ValidationReport?, audit: AuditEntry)
        async throws -> UpdateOutcome
    {
        try await transaction { session in
            guard let key = try await session.lockedKey(id: id), key.userID == ownerID else { return .notFound }
            if active && key.status != .approved { return .notApproved(key.status) }
            try await session.pinVersion(keyID: id)
            if active {
                let held = try await session.isHeld(keyID: id)
                if held && freshReport == nil { return .checkRequired }
                if let freshReport {
                    try await session.saveReport(keyID: id, report: freshReport, at: audit.at)
                    try await session.liftHold(keyID: id)
                    try await session.execute("UPDATE user_exchanges SET error_message = NULL WHERE id = \(id)")
                }
            }
            try await session.execute(
                """
                UPDATE user_exchanges SET is_active = \(active), updated_at = \(PostgresExchangeRows.stored(audit.at))
                WHERE id = \(id)
                """
            )
            try await PostgresAuditLog.insert(session, audit)
            return .updated(try await session.requireKey(id: id), event: nil)
        }
    }

    public func deleteKey(id: Int64, ownerID: Int64, audit: AuditEntry) async throws -> DeleteOutcome {
        try await transaction { session in
            guard let key = try await session.lockedKey(id: id), key.userID == ownerID else { return .notFound }
            // The event is written before the row goes: it carries the key as admins last saw it.
            let event =
                key.status == .pending
                ? try await enqueue(session, kind: .withdrawn, key: key, decidedBy: audit.caller, at: audit.at) : nil
            try await session.execute("DELETE FROM user_exchanges WHERE id = \(id) AND user_id = \(ownerID)")
            try await PostgresAuditLog.insert(session, audit)
            return .deleted(event: event)
        }
    }

    public func decide(id: Int64, decision: Decision, expectedRevision: String?, audit: AuditEntry) async throws
        -> DecisionOutcome
    {
        try await transaction { session in
            // The row lock makes a second decider wait for the first to commit, then read the decided row.
            guard let key = try await session.lockedKey(id: id) else { return .notFound }
            guard key.status == .pending else {
                return .alreadyDecided(key.status, by: try await PostgresAuditLog.decider(session, keyID: id))
            }
            if let expectedRevision, key.revision != expectedRevision { return .outdated }
            let now = PostgresExchangeRows.stored(audit.at)
            let kind: KeyEvent.Kind
            let changed: [PostgresRandomAccessRow]
            // Compare-and-set even under the lock: the update lands only on a key still pending.
            switch decision {
            case .approve(let message):
                changed = try await session.rows(
                    """
                    UPDATE user_exchanges SET status = 'APPROVED', error_message = NULL, updated_at = \(now)
                    WHERE id = \(id) AND coalesce(upper(status), 'PENDING') = 'PENDING' RETURNING id
                    """
                )
                kind = .approved(message: message)
            case .reject(let reason):
                changed = try await session.rows(
                    """
                    UPDATE user_exchanges SET status = 'REJECTED', is_active = FALSE, error_message = \(reason),
                        updated_at = \(now)
                    WHERE id = \(id) AND coalesce(upper(status), 'PENDING') = 'PENDING' RETURNING id
                    """
                )
                kind = .rejected(reason: reason)
            }
            guard !changed.isEmpty else {
                let current = try await session.requireKey(id: id)
                return .alreadyDecided(current.status, by: try await PostgresAuditLog.decider(session, keyID: id))
            }
            try await PostgresAuditLog.insert(session, audit)
            let decided = try await session.requireKey(id: id)
            let event = try await enqueue(session, kind: kind, key: decided, decidedBy: audit.caller, at: audit.at)
            return .decided(decided, event: event)
        }
    }
}
