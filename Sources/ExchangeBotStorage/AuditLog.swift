import ExchangeBotCore
import Foundation
import GRDB

/// The `audit_log` table: every action and every refusal, written in the transaction of the change it records.
///
/// One place for both stores and the key rotation, so the row's shape is written once.
enum AuditLog {
    /// One row as stored. Dates are text in ``DatabaseDate``'s format, the one the seed's tables use.
    struct Record: Codable, FetchableRecord, PersistableRecord {
        static let databaseTableName = "audit_log"

        enum CodingKeys: String, CodingKey {
            case at, actor, action, outcome, detail
            case userID = "user_id"
            case telegramID = "telegram_id"
            case keyID = "exchange_id"
        }

        enum Columns {
            static let id = Column("id")
            static let at = Column(CodingKeys.at)
            static let actor = Column(CodingKeys.actor)
            static let action = Column(CodingKeys.action)
            static let outcome = Column(CodingKeys.outcome)
            static let userID = Column(CodingKeys.userID)
            static let keyID = Column(CodingKeys.keyID)
        }

        var at: String
        var userID: Int64?
        var telegramID: Int64?
        var actor: String
        var action: String
        var keyID: Int64?
        var outcome: String
        var detail: String?

        init(_ entry: AuditEntry) {
            at = DatabaseDate.format(entry.at)
            userID = entry.caller.userID
            telegramID = entry.caller.telegramID
            actor = entry.caller.displayName
            action = entry.action.rawValue
            keyID = entry.keyID
            outcome = entry.outcome.rawValue
            detail = entry.detail
        }
    }

    static func insert(_ db: Database, _ entry: AuditEntry) throws {
        try Record(entry).insert(db)
    }

    /// Who made the decision that stands on a key.
    static func decider(_ db: Database, keyID: Int64) throws -> String? {
        try Record
            .filter(Record.Columns.keyID == keyID)
            .filter([AuditAction.approveKey.rawValue, AuditAction.rejectKey.rawValue].contains(Record.Columns.action))
            .filter(Record.Columns.outcome == AuditOutcome.succeeded.rawValue)
            .order(Record.Columns.id.desc)
            .select(Record.Columns.actor, as: String.self)
            .fetchOne(db)
    }

    /// When the user's newest `limit` successful entries of `action` were written, newest first.
    static func recentTimes(_ db: Database, userID: Int64, action: AuditAction, limit: Int) throws -> [Date] {
        try Record
            .filter(Record.Columns.userID == userID)
            .filter(Record.Columns.action == action.rawValue)
            .filter(Record.Columns.outcome == AuditOutcome.succeeded.rawValue)
            .order(Record.Columns.id.desc)
            .limit(limit)
            .select(Record.Columns.at, as: String.self)
            .fetchAll(db)
            .compactMap(DatabaseDate.parse)
    }
}
