import ExchangeBotCore
import Foundation
import GRDB

/// The audit view on SQLite: `audit_log` read newest first, with each row's key owner beside it.
extension SQLiteExchangeStore {
    public func auditTrail(_ query: AuditQuery) async throws -> AuditPage {
        try await writer.read { db in
            var conditions = [String]()
            var arguments = StatementArguments()
            if let keyID = query.keyID {
                conditions.append("a.exchange_id = ?")
                arguments += [keyID]
            }
            if let userID = query.userID {
                conditions.append("(a.user_id = ? OR \(Self.auditOwner) = ?)")
                arguments += [userID, userID]
            }
            if let since = query.since {
                // Both sides are DatabaseDate's fixed-width text, so text order is time order.
                conditions.append("a.at >= ?")
                arguments += [DatabaseDate.format(since)]
            }
            if let before = query.before {
                conditions.append("a.id < ?")
                arguments += [before]
            }
            arguments += [query.limit + 1]
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT a.id, a.at, a.user_id, a.telegram_id, a.actor, a.action, a.exchange_id, a.outcome, a.detail,
                        \(Self.auditOwner) AS owner_id
                    FROM audit_log a LEFT JOIN user_exchanges e ON e.id = a.exchange_id
                    \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
                    ORDER BY a.id DESC LIMIT ?
                    """,
                arguments: arguments
            )
            return AuditPage(rows: rows.map(Self.auditRecord), limit: query.limit)
        }
    }

    /// The row's owner, as ``AuditRecord/ownerID`` defines it.
    private static let auditOwner = "(CASE WHEN a.exchange_id IS NULL THEN a.user_id ELSE e.user_id END)"

    private static func auditRecord(_ row: Row) -> AuditRecord {
        let at: String? = row["at"]
        return AuditRecord(
            id: row["id"],
            // Every row is ours, written with DatabaseDate; one that does not read shows as the epoch, not a trap.
            at: at.flatMap(DatabaseDate.parse) ?? Date(timeIntervalSince1970: 0),
            action: row["action"],
            outcome: row["outcome"],
            keyID: row["exchange_id"],
            ownerID: row["owner_id"],
            actorName: row["actor"],
            actorUserID: row["user_id"],
            actorTelegramID: row["telegram_id"],
            detail: row["detail"]
        )
    }
}
