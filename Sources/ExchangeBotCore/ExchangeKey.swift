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
    /// When the key's credentials were last set (added, or replaced by an update); `nil` for a row no one has
    /// recorded that for (written by another system), whose ``revision`` then follows `updatedAt` as it always
    /// did, since any change there may have been new credentials.
    public var credentialsChangedAt: Date?
    /// `true` when an admin approved this key before (a successful `key.approve` in the audit log, read with the
    /// key): a pending key with it was sent again after an approval. `nil` otherwise, and in keys not read from a
    /// store.
    public var approvedBefore: Bool?

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
        hasPassphrase: Bool = false,
        credentialsChangedAt: Date? = nil,
        approvedBefore: Bool? = nil
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
        self.credentialsChangedAt = credentialsChangedAt
        self.approvedBefore = approvedBefore
    }

    public var exchange: ExchangeID? { ExchangeID(normalizing: exchangeName) }

    /// The API key as users and admins see it: `abcd…wxyz`.
    public var maskedAPIKey: String { KeyMask.mask(apiKey) }

    /// Names the version of the key an admin judges: its id, API key, creation and the time its credentials were
    /// set. A decision made on a message that showed an older version is refused. The label, activation and
    /// health checks do not change it, so renaming or deactivating a pending key leaves its request decidable.
    /// (The exchange of a key cannot change.) The text has the shape of the earlier `updated_at` revision, which
    /// the migration copied into the credentials time, so requests posted before it stay decidable.
    /// FNV-1a: a consistency check, not a secret.
    public var revision: String {
        let credentialsTime = (credentialsChangedAt ?? updatedAt)?.timeIntervalSince1970 ?? 0
        let text = "\(id)|\(apiKey)|\(createdAt?.timeIntervalSince1970 ?? 0)|\(credentialsTime)"
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
    /// Keys shorter than this show only `****`: four characters at each end of a short value would give away too
    /// much of it (and a short value is more likely a secret or passphrase typed at the wrong prompt).
    public static let minimumMaskedLength = 16

    /// First four and last four characters around an ellipsis; keys too short for that show only `****`.
    public static func mask(_ key: String) -> String {
        // Key ids are ASCII in practice; scalars avoid grapheme breaking on a hot path (every listed key).
        let scalars = key.unicodeScalars
        guard scalars.count >= minimumMaskedLength else { return "****" }
        var masked = String.UnicodeScalarView()
        masked.append(contentsOf: scalars.prefix(4))
        masked.append("…")
        masked.append(contentsOf: scalars.suffix(4))
        return String(masked)
    }
}
