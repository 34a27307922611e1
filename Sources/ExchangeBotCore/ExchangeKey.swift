import Foundation

/// A stored exchange key as the rest of the product sees it: a row of `user_exchanges` without its secret and
/// passphrase (those stay encrypted in the store and are only opened to talk to the exchange).
public struct ExchangeKey: Sendable, Equatable, Codable {
    public var id: Int64
    public var userID: Int64
    /// The stored id; a row written by another system may hold one this product does not know.
    public var exchangeName: String
    public var label: String
    public var apiKey: String
    public var status: KeyStatus
    public var isActive: Bool
    public var errorMessage: String?
    public var createdAt: Date?
    public var updatedAt: Date?
    /// Whether the row has a stored passphrase (its value is never loaded here).
    public var hasPassphrase: Bool

    public init(
        id: Int64,
        userID: Int64,
        exchangeName: String,
        label: String,
        apiKey: String,
        status: KeyStatus,
        isActive: Bool,
        errorMessage: String? = nil,
        createdAt: Date? = nil,
        updatedAt: Date? = nil,
        hasPassphrase: Bool = false
    ) {
        self.id = id
        self.userID = userID
        self.exchangeName = exchangeName
        self.label = label
        self.apiKey = apiKey
        self.status = status
        self.isActive = isActive
        self.errorMessage = errorMessage
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.hasPassphrase = hasPassphrase
    }

    public var exchange: ExchangeID? { ExchangeID(normalizing: exchangeName) }

    /// The API key as users and admins see it: `abcd…wxyz`.
    public var maskedAPIKey: String { KeyMask.mask(apiKey) }

    /// Names this version of the key: changes when its credentials change, and differs between two keys that
    /// happen to get the same id (SQLite reuses the highest id after a delete). A decision made on a message that
    /// showed an older version is refused. FNV-1a: a consistency check, not a secret.
    public var revision: String {
        let text = "\(id)|\(apiKey)|\(createdAt?.timeIntervalSince1970 ?? 0)|\(updatedAt?.timeIntervalSince1970 ?? 0)"
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// Masks key ids for display, so that a screenshot of a chat or a log line never carries a whole key.
public enum KeyMask {
    /// First four and last four characters around an ellipsis; keys too short for that show only `****`.
    public static func mask(_ key: String) -> String {
        // Key ids are ASCII in practice; scalars avoid grapheme breaking on a hot path (every listed key).
        let scalars = key.unicodeScalars
        guard scalars.count >= 12 else { return "****" }
        var masked = String.UnicodeScalarView()
        masked.append(contentsOf: scalars.prefix(4))
        masked.append("…")
        masked.append(contentsOf: scalars.suffix(4))
        return String(masked)
    }
}
