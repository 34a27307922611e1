import ExchangeBotCore
import ExchangeBotStorage
import Foundation
import GRDB

/// What tests read and write around the store that the product itself never does: creating a user the way the
/// seed's sign-up does, reading the audit log back, and reading a key's stored validation report.
///
/// Written on the store's public database and plain SQL, so it depends on no internal of the storage module.
extension SQLiteExchangeStore {
    /// Creates a user the way the seed system's sign-up does.
    public func createUser(username: String?, email: String?, isAdmin: Bool = false, at date: Date) async throws -> User
    {
        let id = try await database.writer.write { db in
            try db.execute(
                sql: "INSERT INTO users (username, email, is_admin, is_active, created_at) VALUES (?, ?, ?, 1, ?)",
                arguments: [username, email, isAdmin, NaiveUTCDate.format(clamping: date, separator: " ")]
            )
            return db.lastInsertedRowID
        }
        guard let user = try await user(id: id) else { throw StoreInspectionError.missingUser(id) }
        return user
    }

    /// The newest audit entries, newest first.
    public func auditLog(limit: Int = 100) async throws -> [AuditEntry] {
        try await database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", arguments: [limit]).map {
                row in
                AuditEntry(
                    at: StoreInspection.date(row["at"]) ?? Date(timeIntervalSince1970: 0),
                    caller: Caller(userID: row["user_id"], telegramID: row["telegram_id"], displayName: row["actor"]),
                    action: AuditAction(rawValue: row["action"]) ?? .updateKey,
                    keyID: row["exchange_id"],
                    outcome: AuditOutcome(rawValue: row["outcome"]) ?? .failed,
                    detail: row["detail"]
                )
            }
        }
    }

    /// The validation report stored for a key, if any (its JSON carries a `formatVersion` field beside the
    /// report's own, which decoding the report ignores).
    public func report(ofKey id: Int64) async throws -> ValidationReport? {
        let json = try await database.writer.read { db in
            try String.fetchOne(db, sql: "SELECT report FROM key_validation WHERE exchange_id = ?", arguments: [id])
        }
        return try json.map { try JSONDecoder().decode(ValidationReport.self, from: Data($0.utf8)) }
    }
}

/// A user the test just created is not there.
public enum StoreInspectionError: Error {
    case missingUser(Int64)
}

private enum StoreInspection {
    /// The service's `YYYY-MM-DD HH:MM:SS.ffffff` (naive UTC).
    static func date(_ text: String?) -> Date? {
        guard let text else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.SSSSSS"
        return formatter.date(from: text)
    }
}
