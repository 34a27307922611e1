import ExchangeBotCore
import Foundation

/// Where one user's chat with the bot stands. Persisted after every update (encrypted as a whole, since a draft may
/// hold a secret between two messages), so a restart resumes every conversation where it was.
public struct ConversationState: Codable, Equatable, Sendable {
    public var step: Step
    /// When the user last moved the conversation on; a step older than ``ConversationMachine/idleTimeout`` is
    /// abandoned.
    public var updatedAt: Date

    public init(step: Step = .idle, updatedAt: Date) {
        self.step = step
        self.updatedAt = updatedAt
    }

    public enum Step: Codable, Equatable, Sendable {
        case idle
        /// The exchange buttons are shown.
        case choosingExchange
        case awaitingLabel(Draft)
        case awaitingAPIKey(Draft)
        case awaitingSecret(Draft)
        case awaitingPassphrase(Draft)
        /// The key is with its exchange; its secrets are no longer kept here.
        case checking(exchange: ExchangeID, keyID: Int64?)
        /// "Delete key #N?" is shown.
        case confirmingDelete(keyID: Int64)
    }
}

/// A key being entered. For an update, `keyID` names the key and the exchange and label are taken from it.
public struct Draft: Codable, Equatable, Sendable {
    public var exchange: ExchangeID
    public var keyID: Int64?
    public var label: String?
    public var apiKey: String?
    public var apiSecret: SecretString?

    public init(
        exchange: ExchangeID,
        keyID: Int64? = nil,
        label: String? = nil,
        apiKey: String? = nil,
        apiSecret: SecretString? = nil
    ) {
        self.exchange = exchange
        self.keyID = keyID
        self.label = label
        self.apiKey = apiKey
        self.apiSecret = apiSecret
    }

    enum CodingKeys: String, CodingKey {
        case exchange, keyID, label, apiKey, apiSecret
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        exchange = try container.decode(ExchangeID.self, forKey: .exchange)
        keyID = try container.decodeIfPresent(Int64.self, forKey: .keyID)
        label = try container.decodeIfPresent(String.self, forKey: .label)
        apiKey = try container.decodeIfPresent(String.self, forKey: .apiKey)
        apiSecret = try container.decodeIfPresent(String.self, forKey: .apiSecret).map(SecretString.init)
    }

    /// Writes the secret in clear: only the conversation store calls this, and it encrypts the whole state before
    /// it reaches the database.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(exchange, forKey: .exchange)
        try container.encodeIfPresent(keyID, forKey: .keyID)
        try container.encodeIfPresent(label, forKey: .label)
        try container.encodeIfPresent(apiKey, forKey: .apiKey)
        try container.encodeIfPresent(apiSecret?.exposedValue, forKey: .apiSecret)
    }
}
