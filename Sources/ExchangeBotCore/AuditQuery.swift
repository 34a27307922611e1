import Foundation

/// Which audit rows to read, newest first: optional filters, a page size and where the previous page ended.
public struct AuditQuery: Sendable, Equatable {
    public static let defaultLimit = 50
    public static let maximumLimit = 200

    /// Rows about this key (`user_exchanges.id`), deleted or not.
    public var keyID: Int64?
    /// Rows concerning this user: acted by them, or about a key they own (``AuditRecord/ownerID``).
    public var userID: Int64?
    /// Rows written at or after this moment.
    public var since: Date?
    /// At most this many rows, 1…``maximumLimit``.
    public var limit: Int
    /// Only rows older than this row id: the previous page's ``AuditPage/nextCursor``.
    public var before: Int64?

    public init(
        keyID: Int64? = nil,
        userID: Int64? = nil,
        since: Date? = nil,
        limit: Int = AuditQuery.defaultLimit,
        before: Int64? = nil
    ) {
        self.keyID = keyID
        self.userID = userID
        self.since = since
        self.limit = min(max(limit, 1), Self.maximumLimit)
        self.before = before
    }
}

/// One page of audit rows, newest first.
public struct AuditPage: Sendable, Equatable {
    public var records: [AuditRecord]
    /// The id to pass as ``AuditQuery/before`` for the next page; `nil` when this page is the last.
    public var nextCursor: Int64?

    public init(records: [AuditRecord], nextCursor: Int64?) {
        self.records = records
        self.nextCursor = nextCursor
    }

    /// A page cut from up to `limit + 1` rows read newest first: the extra row only says that more follow.
    public init(rows: [AuditRecord], limit: Int) {
        let hasMore = rows.count > limit
        records = Array(rows.prefix(limit))
        nextCursor = hasMore ? records.last?.id : nil
    }
}

/// The page cursor clients see: the last row id of a page as base64url (no padding) of its decimal digits.
///
/// Opaque so that clients do not build their own; it carries no authority (any admin may read any page), so it is
/// not signed, but anything that is not exactly a cursor this service wrote is refused rather than guessed at.
public enum AuditCursor {
    public static func encode(_ rowID: Int64) -> String {
        Data(String(rowID).utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The row id in `text`, or `nil` when it is not a cursor ``encode(_:)`` writes.
    public static func decode(_ text: String) -> Int64? {
        guard !text.isEmpty, text.utf8.count <= 28,
            text.utf8.allSatisfy({ $0.isASCIIAlphanumeric || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") })
        else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let digits = String(data: data, encoding: .utf8),
            digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let rowID = Int64(digits), rowID > 0,
            encode(rowID) == text
        else { return nil }
        return rowID
    }
}

extension UInt8 {
    fileprivate var isASCIIAlphanumeric: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
    }
}
