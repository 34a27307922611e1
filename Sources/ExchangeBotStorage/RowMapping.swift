import ExchangeBotCore
import Foundation
import GRDB

/// Reading the seed's rows into domain values. Rows may come from the Python side, so every column is read
/// leniently: a NULL `status` is the column's default (PENDING), an unknown status is treated as REJECTED (never
/// tradable), NULL booleans are false. The columns a user is read from are ``UsersTable/columns(_:prefix:)``.
enum RowMapping {
    static let keyColumns = """
        e.id AS key_id, e.user_id, e.exchange_name, e.label, e.api_key, e.status, e.is_active, e.error_message,
        e.created_at AS key_created_at, e.updated_at AS key_updated_at, e.passphrase IS NOT NULL AS has_passphrase,
        (SELECT kv.credentials_at FROM key_versions kv WHERE kv.exchange_id = e.id) AS key_credentials_at,
        EXISTS (SELECT 1 FROM audit_log a WHERE a.exchange_id = e.id AND a.action = 'key.approve'
            AND a.outcome = 'ok') AS key_approved_before
        """

    static func key(_ row: Row) -> ExchangeKey {
        let statusText: String? = row["status"]
        return ExchangeKey(
            id: row["key_id"],
            userID: row["user_id"],
            exchangeName: row["exchange_name"],
            label: row["label"],
            apiKey: row["api_key"],
            status: status(statusText),
            isActive: (row["is_active"] as Bool?) ?? false,
            errorMessage: row["error_message"],
            createdAt: date(row["key_created_at"]),
            updatedAt: date(row["key_updated_at"]),
            hasPassphrase: row["has_passphrase"],
            credentialsChangedAt: date(row["key_credentials_at"]),
            approvedBefore: (row["key_approved_before"] as Bool?) == true ? true : nil
        )
    }

    static func user(_ row: Row, prefix: String = "u_") -> User {
        User(
            id: row[prefix + "id"],
            username: row[prefix + "username"],
            email: row[prefix + "email"],
            telegramID: row[prefix + "telegram_id"],
            languageCode: row[prefix + "language_code"],
            isAdmin: (row[prefix + "is_admin"] as Bool?) ?? false,
            isActive: (row[prefix + "is_active"] as Bool?) ?? true,
            createdAt: date(row[prefix + "created_at"])
        )
    }

    static func status(_ text: String?) -> KeyStatus {
        guard let text else { return .pending }
        return KeyStatus(rawValue: text.uppercased()) ?? .rejected
    }

    static func date(_ value: DatabaseValue) -> Date? {
        switch value.storage {
        case .string(let text): DatabaseDate.parse(text)
        case .int64(let seconds): DatabaseDate.date(unixSeconds: Double(seconds))
        case .double(let seconds): DatabaseDate.date(unixSeconds: seconds)
        default: nil
        }
    }
}
