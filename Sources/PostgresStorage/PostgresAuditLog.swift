import ExchangeBotCore
import Foundation
import PostgresNIO

/// The `exchange_bot_audit_log` table: every action and every refusal, written in the transaction of the change it
/// records. It also counts the key-check budget, so it holds across restarts and across instances.
enum PostgresAuditLog {
    static func insert(_ session: PostgresExchangeSession, _ entry: AuditEntry) async throws {
        try await session.execute(
            """
            INSERT INTO exchange_bot_audit_log (at, user_id, telegram_id, actor, action, exchange_id, outcome, detail)
            VALUES (\(PostgresExchangeRows.stored(entry.at)), \(entry.caller.userID), \(entry.caller.telegramID),
                \(entry.caller.displayName), \(entry.action.rawValue), \(entry.keyID), \(entry.outcome.rawValue),
                \(entry.detail))
            """
        )
    }

    /// Who made the decision that stands on a key.
    static func decider(_ session: PostgresExchangeSession, keyID: Int64) async throws -> String? {
        let actions = [AuditAction.approveKey.rawValue, AuditAction.rejectKey.rawValue]
        return try await session.rows(
            """
            SELECT actor FROM exchange_bot_audit_log
            WHERE exchange_id = \(keyID) AND action = ANY(\(actions)) AND outcome = \(AuditOutcome.succeeded.rawValue)
            ORDER BY id DESC LIMIT 1
            """
        ).first.map { try $0["actor"].decode(String.self) }
    }

    /// When the user's newest `limit` successful entries of `action` were written, newest first.
    static func recentTimes(_ session: PostgresExchangeSession, userID: Int64, action: AuditAction, limit: Int)
        async throws -> [Date]
    {
        try await session.rows(
            """
            SELECT at FROM exchange_bot_audit_log
            WHERE user_id = \(userID) AND action = \(action.rawValue) AND outcome = \(AuditOutcome.succeeded.rawValue)
            ORDER BY id DESC LIMIT \(max(0, limit))
            """
        ).map { try $0["at"].decode(Date.self) }
    }
}
