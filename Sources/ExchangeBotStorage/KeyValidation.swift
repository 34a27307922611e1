import ExchangeBotCore
import Foundation
import GRDB

/// The `key_validation` table: the report of a key's last check, as versioned JSON (``StoredJSON``).
enum KeyValidation {
    struct Record: Codable, FetchableRecord, PersistableRecord {
        static let databaseTableName = "key_validation"

        enum CodingKeys: String, CodingKey {
            case report
            case keyID = "exchange_id"
            case checkedAt = "checked_at"
        }

        var keyID: Int64
        var report: String
        var checkedAt: String
    }

    /// Stores (or replaces) a key's report.
    static func save(_ db: Database, keyID: Int64, report: ValidationReport, at date: Date) throws {
        let json = String(decoding: try StoredJSON.encode(report), as: UTF8.self)
        try Record(keyID: keyID, report: json, checkedAt: DatabaseDate.format(date))
            .insert(db, onConflict: .replace)
    }

    static func report(_ db: Database, keyID: Int64) throws -> ValidationReport? {
        decode(try Record.fetchOne(db, key: keyID)?.report)
    }

    /// A stored report, or `nil` for none, an unreadable one, or one of a newer format.
    static func decode(_ json: String?) -> ValidationReport? {
        json.flatMap { StoredJSON.decode(ValidationReport.self, from: Data($0.utf8)) }
    }
}
