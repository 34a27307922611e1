import ExchangeBotCore
import Foundation
import PostgresNIO

/// The audit view on PostgreSQL: `exchange_bot_audit_log` read newest first, with each row's key owner beside it.
extension PostgresExchangeStore {
    public func auditTrail(_ query: AuditQuery) async throws -> AuditPage {
        let since = query.since.map(PostgresExchangeRows.stored)
        return try await read { session in
            // One statement for every combination of filters: an absent filter binds a typed NULL that passes all.
            let rows = try await session.rows(
                """
                SELECT a.id, a.at, a.user_id, a.telegram_id, a.actor, a.action, a.exchange_id, a.outcome, a.detail,
                    (CASE WHEN a.exchange_id IS NULL THEN a.user_id ELSE e.user_id END) AS owner_id
                FROM exchange_bot_audit_log a LEFT JOIN user_exchanges e ON e.id = a.exchange_id
                WHERE (CAST(\(query.keyID) AS BIGINT) IS NULL OR a.exchange_id = \(query.keyID))
                    AND (CAST(\(query.userID) AS BIGINT) IS NULL OR a.user_id = \(query.userID)
                        OR (CASE WHEN a.exchange_id IS NULL THEN a.user_id ELSE e.user_id END) = \(query.userID))
                    AND (CAST(\(since) AS TIMESTAMPTZ) IS NULL OR a.at >= \(since))
                    AND (CAST(\(query.before) AS BIGINT) IS NULL OR a.id < \(query.before))
                ORDER BY a.id DESC LIMIT \(query.limit + 1)
                """
            )
            return AuditPage(rows: try rows.map(Self.auditRecord), limit: query.limit)
        }
    }

    private static func auditRecord(_ row: PostgresRandomAccessRow) throws -> AuditRecord {
        AuditRecord(
            id: try row["id"].decode(Int64.self),
            at: PostgresExchangeRows.date(try row["at"].decode(Date?.self)) ?? Date(timeIntervalSince1970: 0),
            action: try row["action"].decode(String.self),
            outcome: try row["outcome"].decode(String.self),
            keyID: try row["exchange_id"].decode(Int64?.self),
            ownerID: try row["owner_id"].decode(Int64?.self),
            actorName: try row["actor"].decode(String.self),
            actorUserID: try row["user_id"].decode(Int64?.self),
            actorTelegramID: try row["telegram_id"].decode(Int64?.self),
            detail: try row["detail"].decode(String?.self)
        )
    }
}
