import ExchangeBotCore
import Foundation
import GRDB

/// Health holds, service alerts and the key-check budget: the store's side of the rules that keep a broken or
/// abused key from being used or re-checked without end.
extension SQLiteExchangeStore {
    public func recordHealth(id: Int64, outcome: HealthOutcome, audit: AuditEntry) async throws -> KeyEvent? {
        try await writer.write { db in
            // The key may have been deleted or changed while it was being checked: only an approved key changes.
            guard let key = try self.fetchKey(db, id: id), key.status == .approved else { return nil }
            try AuditLog.insert(db, audit)
            switch outcome {
            case .healthy(let report):
                try KeyValidation.save(db, keyID: id, report: report, at: audit.at)
                return nil
            case .broken(let reason):
                let wasHeld = try Self.isHeld(db, keyID: id)
                try db.execute(
                    sql: "UPDATE user_exchanges SET is_active = 0, error_message = ?, updated_at = ? WHERE id = ?",
                    arguments: [reason, DatabaseDate.format(audit.at), id]
                )
                try db.execute(
                    sql: "INSERT OR IGNORE INTO key_holds (exchange_id, reason, since) VALUES (?, ?, ?)",
                    arguments: [id, reason, DatabaseDate.format(audit.at)]
                )
                // Its owner was told when the key was first held; a key that stays broken is not news. A key whose
                // owner the other side deleted is still deactivated: there is just nobody to tell.
                guard !wasHeld, let key = try self.fetchKey(db, id: id), try self.users.fetch(db, id: key.userID) != nil
                else { return nil }
                return try self.enqueue(db, kind: .deactivated(reason: reason), key: key, decidedBy: nil, at: audit.at)
            }
        }
    }

    static func isHeld(_ db: Database, keyID: Int64) throws -> Bool {
        try Bool.fetchOne(
            db,
            sql: "SELECT EXISTS (SELECT 1 FROM key_holds WHERE exchange_id = ?)",
            arguments: [keyID]
        ) ?? false
    }

    // MARK: - Service alerts

    public func raiseServiceAlert(code: String, keyIDs: [Int64], at date: Date) async throws -> KeyEvent? {
        try await writer.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO service_alerts (code, since) VALUES (?, ?)",
                arguments: [code, DatabaseDate.format(date)]
            )
            guard db.changesCount > 0 else { return nil }
            for id in keyIDs {
                guard let key = try self.fetchKey(db, id: id), try self.users.fetch(db, id: key.userID) != nil else {
                    continue
                }
                return try self.enqueue(
                    db,
                    kind: .serviceAlert(code: code, count: keyIDs.count),
                    key: key,
                    decidedBy: nil,
                    at: date
                )
            }
            return nil
        }
    }

    public func closeServiceAlerts(except codes: Set<String>) async throws {
        try await writer.write { db in
            let open = try String.fetchAll(db, sql: "SELECT code FROM service_alerts")
            for code in open where !codes.contains(code) {
                try db.execute(sql: "DELETE FROM service_alerts WHERE code = ?", arguments: [code])
            }
        }
    }

    // MARK: - Key-check budget

    public func reserveKeyCheck(userID: Int64, budget: KeyCheckBudget, audit: AuditEntry) async throws
        -> KeyCheckGrant
    {
        try await writer.write { db in
            // The newest `checks` entries decide: if all are inside the window, the budget is spent until the
            // oldest of them leaves it.
            let recent = try AuditLog.recentTimes(
                db,
                userID: userID,
                action: .startKeyCheck,
                limit: budget.checks
            )
            let windowStart = audit.at.addingTimeInterval(-budget.window)
            if recent.count >= budget.checks, let oldest = recent.min(), oldest > windowStart {
                let wait = oldest.addingTimeInterval(budget.window).timeIntervalSince(audit.at)
                return .exhausted(retryAfterSeconds: max(1, Int(min(wait.rounded(.up), budget.window))))
            }
            try AuditLog.insert(db, audit)
            return .granted
        }
    }
}
