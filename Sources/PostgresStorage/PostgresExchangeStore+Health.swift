import ExchangeBotCore
import Foundation
import PostgresNIO

/// Health holds, service alerts and the key-check budget: the store's side of the rules that keep a broken or
/// abused key from being used or re-checked without end.
extension PostgresExchangeStore {
    public func recordHealth(id: Int64, outcome: HealthOutcome, audit: AuditEntry) async throws -> KeyEvent? {
        try await transaction { session in
            // The key may have been deleted or changed while it was being checked: only an approved key changes.
            // The lock keeps two instances checking the same key from both telling its owner.
            guard let key = try await session.lockedKey(id: id), key.status == .approved else { return nil }
            try await PostgresAuditLog.insert(session, audit)
            switch outcome {
            case .healthy(let report):
                try await session.saveReport(keyID: id, report: report, at: audit.at)
                return nil
            case .broken(let reason):
                let wasHeld = try await session.isHeld(keyID: id)
                let now = PostgresExchangeRows.stored(audit.at)
                try await session.execute(
                    """
                    UPDATE user_exchanges SET is_active = FALSE, error_message = \(reason), updated_at = \(now)
                    WHERE id = \(id)
                    """
                )
                try await session.execute(
                    """
                    INSERT INTO exchange_bot_key_holds (exchange_id, reason, since) VALUES (\(id), \(reason), \(now))
                    ON CONFLICT (exchange_id) DO NOTHING
                    """
                )
                // Its owner was told when the key was first held; a key that stays broken is not news. A key whose
                // owner the other side deleted is still deactivated: there is just nobody to tell.
                guard !wasHeld, let key = try await session.key(id: id), try await session.user(id: key.userID) != nil
                else { return nil }
                return try await enqueue(
                    session,
                    kind: .deactivated(reason: reason),
                    key: key,
                    decidedBy: nil,
                    at: audit.at
                )
            }
        }
    }

    // MARK: - Service alerts

    public func raiseServiceAlert(code: String, keyIDs: [Int64], at date: Date) async throws -> KeyEvent? {
        try await transaction { session in
            // Of several instances raising one code at once, the primary key lets one insert; the others wait for
            // it to commit and insert nothing.
            let opened = try await session.rows(
                """
                INSERT INTO exchange_bot_service_alerts (code, since) VALUES (\(code), \(PostgresExchangeRows.stored(date)))
                ON CONFLICT (code) DO NOTHING RETURNING code
                """
            )
            guard !opened.isEmpty else { return nil }
            for id in keyIDs {
                guard let key = try await session.key(id: id), try await session.user(id: key.userID) != nil else {
                    continue
                }
                return try await enqueue(
                    session,
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
        try await transaction { session in
            try await session.execute(
                "DELETE FROM exchange_bot_service_alerts WHERE code <> ALL(\(codes.sorted()))"
            )
        }
    }

    // MARK: - Key-check budget

    public func reserveKeyCheck(userID: Int64, budget: KeyCheckBudget, audit: AuditEntry) async throws
        -> KeyCheckGrant
    {
        try await transaction { session in
            // Checks of one user started at once on several instances are counted one after the other.
            try await session.lockUser(id: userID)
            // The newest `checks` entries decide: if all are inside the window, the budget is spent until the
            // oldest of them leaves it.
            let recent = try await PostgresAuditLog.recentTimes(
                session,
                userID: userID,
                action: .startKeyCheck,
                limit: budget.checks
            )
            let windowStart = audit.at.addingTimeInterval(-budget.window)
            if recent.count >= budget.checks, let oldest = recent.min(), oldest > windowStart {
                let wait = oldest.addingTimeInterval(budget.window).timeIntervalSince(audit.at)
                return .exhausted(retryAfterSeconds: max(1, Int(min(wait.rounded(.up), budget.window))))
            }
            try await PostgresAuditLog.insert(session, audit)
            return .granted
        }
    }
}
