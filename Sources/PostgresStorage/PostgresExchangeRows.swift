import ExchangeBotCore
import Foundation
import PostgresNIO

/// Reading the platform's rows into domain values, as leniently as the SQLite store does: rows may come from the
/// Python side, so a NULL `status` is the column's default (PENDING), an unknown status is treated as REJECTED
/// (never tradable), NULL booleans are false, and a date Python's `datetime` cannot hold (`infinity`) is no date.
enum PostgresExchangeRows {
    static let keyColumns = """
        e.id AS key_id, e.user_id, e.exchange_name, e.label, e.api_key, e.status, e.is_active, e.error_message,
        e.created_at AS key_created_at, e.updated_at AS key_updated_at, e.passphrase IS NOT NULL AS has_passphrase,
        (SELECT kv.credentials_at FROM exchange_bot_key_versions kv WHERE kv.exchange_id = e.id) AS key_credentials_at,
        EXISTS (SELECT 1 FROM exchange_bot_audit_log a WHERE a.exchange_id = e.id AND a.action = 'key.approve'
            AND a.outcome = 'ok') AS key_approved_before
        """

    static func key(_ row: PostgresRandomAccessRow) throws -> ExchangeKey {
        ExchangeKey(
            id: try row["key_id"].decode(Int64.self),
            userID: try row["user_id"].decode(Int64.self),
            exchangeName: try row["exchange_name"].decode(String.self),
            label: try row["label"].decode(String.self),
            apiKey: try row["api_key"].decode(String.self),
            status: status(try row["status"].decode(String?.self)),
            isActive: try row["is_active"].decode(Bool?.self) ?? false,
            errorMessage: try row["error_message"].decode(String?.self),
            createdAt: date(try row["key_created_at"].decode(Date?.self)),
            updatedAt: date(try row["key_updated_at"].decode(Date?.self)),
            hasPassphrase: try row["has_passphrase"].decode(Bool.self),
            credentialsChangedAt: date(try row["key_credentials_at"].decode(Date?.self)),
            approvedBefore: try row["key_approved_before"].decode(Bool.self) ? true : nil
        )
    }

    /// A user read with ``PostgresUsersTable/columns(_:)``.
    static func user(_ row: PostgresRandomAccessRow) throws -> User {
        User(
            id: try row["u_id"].decode(Int64.self),
            username: try row["u_username"].decode(String?.self),
            email: try row["u_email"].decode(String?.self),
            telegramID: try row["u_telegram_id"].decode(Int64?.self),
            languageCode: try row["u_language_code"].decode(String?.self),
            isAdmin: try row["u_is_admin"].decode(Bool?.self) ?? false,
            isActive: try row["u_is_active"].decode(Bool?.self) ?? true,
            createdAt: date(try row["u_created_at"].decode(Date?.self))
        )
    }

    static func status(_ text: String?) -> KeyStatus {
        guard let text else { return .pending }
        return KeyStatus(rawValue: text.uppercased()) ?? .rejected
    }

    static func date(_ value: Date?) -> Date? {
        value.flatMap { NaiveUTCDate.isRepresentable($0) ? $0 : nil }
    }

    /// A date as this service writes it: from our clock, moved into the range Python's `datetime` reads (a broken
    /// clock must neither trap the driver's conversion nor write a value the platform cannot read).
    static func stored(_ date: Date) -> Date {
        let raw = date.timeIntervalSince1970
        let range = NaiveUTCDate.range
        return Date(
            timeIntervalSince1970: raw.isNaN ? range.lowerBound : min(max(raw, range.lowerBound), range.upperBound)
        )
    }

    /// A stored report, or `nil` for none, an unreadable one, or one of a newer format.
    static func report(_ json: String?) -> ValidationReport? {
        json.flatMap { StoredJSON.decode(ValidationReport.self, from: Data($0.utf8)) }
    }
}
