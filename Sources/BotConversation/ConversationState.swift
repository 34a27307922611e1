import ExchangeBotCore
import Foundation

/// Where one user's chat with the bot stands. Persisted after every update (encrypted as a whole, since a draft may
/// hold a secret between two messages), so a restart resumes every conversation where it was.
public struct ConversationState: Codable, Equatable, Sendable {
    public var step: Step
    /// When the user last moved the conversation on; a step older than ``ConversationMachine/idleTimeout`` is
    /// abandoned.
    public var updatedAt: Date
    /// The key handed to the exchange while the step is ``Step/checking(exchange:keyID:)``: kept (encrypted with
    /// the state) until the answer is stored, so a restart mid-check resumes it instead of losing it. Set and
    /// cleared by ``ConversationMachine`` only.
    public var pendingSubmission: PendingSubmission?

    public init(step: Step = .idle, updatedAt: Date, pendingSubmission: PendingSubmission? = nil) {
        self.step = step
        self.updatedAt = updatedAt
        self.pendingSubmission = pendingSubmission
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
        /// The exchange refused the key for a reason the user fixes on the exchange (IP whitelist, permissions) or
        /// that passes (the exchange was down): `Check again`, `Re-enter key` and `Cancel` are shown. The draft
        /// keeps every credential, encrypted with the state, so checking again needs no typing.
        case checkFailed(Draft)
        /// A credential step was left alone past ``ConversationMachine/idleTimeout``: the credentials are gone,
        /// the exchange and label are kept, and `Continue` is shown.
        case timedOut(Draft)
        /// "Delete key #N?" is shown.
        case confirmingDelete(keyID: Int64)
        /// "Link to account …?" is shown for the code with this hash (the code itself is not kept).
        case confirmingLink(codeHash: Data)
        /// "Unlink this Telegram account?" is shown.
        case confirmingUnlink
    }
}

/// A key being entered. For an update, `keyID` names the key and the exchange and label are taken from it.
public struct Draft: Codable, Equatable, Sendable {
    public var exchange: ExchangeID
    public var keyID: Int64?
    public var label: String?
    public var apiKey: String?
    public var apiSecret: SecretString?
    /// Kept only while ``ConversationState/Step/checkFailed(_:)`` offers to check the same key again.
    public var passphrase: SecretString?

    public init(
        exchange: ExchangeID,
        keyID: Int64? = nil,
        label: String? = nil,
        apiKey: String? = nil,
        apiSecret: SecretString? = nil,
        passphrase: SecretString? = nil
    ) {
        self.exchange = exchange
        self.keyID = keyID
        self.label = label
        self.apiKey = apiKey
        self.apiSecret = apiSecret
        self.passphrase = passphrase
    }

    /// The draft with its credentials dropped: what survives a timeout or a `Re-enter key`.
    public var withoutCredentials: Draft { Draft(exchange: exchange, keyID: keyID, label: label) }

    enum CodingKeys: String, CodingKey {
        case exchange, keyID, label, apiKey, apiSecret, passphrase
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        exchange = try container.decode(ExchangeID.self, forKey: .exchange)
        keyID = try container.decodeIfPresent(Int64.self, forKey: .keyID)
        label = try container.decodeIfPresent(String.self, forKey: .label)
        apiKey = try container.decodeIfPresent(String.self, forKey: .apiKey)
        apiSecret = try container.decodeIfPresent(String.self, forKey: .apiSecret).map(SecretString.init)
        passphrase = try container.decodeIfPresent(String.self, forKey: .passphrase).map(SecretString.init)
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
        try container.encodeIfPresent(passphrase?.exposedValue, forKey: .passphrase)
    }
}

/// A key submitted for checking: what the runner gives the approval service, and when (a resumed check uses the
/// time to recognise a key it stored itself just before a crash).
public struct PendingSubmission: Codable, Equatable, Sendable {
    public var submission: KeySubmission
    /// The key being updated, or `nil` for a new key.
    public var updating: Int64?
    public var submittedAt: Date
    /// How the submitter was named when they submitted (``ExchangeBotCore/Caller/displayName``), so a check resumed
    /// after a restart is audited under the same name; `nil` in states stored before this was kept.
    public var submitterName: String?

    public init(submission: KeySubmission, updating: Int64?, submittedAt: Date, submitterName: String? = nil) {
        self.submission = submission
        self.updating = updating
        self.submittedAt = submittedAt
        self.submitterName = submitterName
    }

    enum CodingKeys: String, CodingKey {
        case exchange, label, apiKey, apiSecret, passphrase, updating, submittedAt, submitterName
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        submission = KeySubmission(
            exchange: try container.decode(String.self, forKey: .exchange),
            label: try container.decode(String.self, forKey: .label),
            apiKey: try container.decode(String.self, forKey: .apiKey),
            apiSecret: SecretString(try container.decode(String.self, forKey: .apiSecret)),
            passphrase: try container.decodeIfPresent(String.self, forKey: .passphrase).map(SecretString.init)
        )
        updating = try container.decodeIfPresent(Int64.self, forKey: .updating)
        submittedAt = try container.decode(Date.self, forKey: .submittedAt)
        submitterName = try container.decodeIfPresent(String.self, forKey: .submitterName)
    }

    /// Writes the secrets in clear, like ``Draft``: only the bot store encodes this, inside an encrypted state.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(submission.exchange, forKey: .exchange)
        try container.encode(submission.label, forKey: .label)
        try container.encode(submission.apiKey, forKey: .apiKey)
        try container.encode(submission.apiSecret.exposedValue, forKey: .apiSecret)
        try container.encodeIfPresent(submission.passphrase?.exposedValue, forKey: .passphrase)
        try container.encodeIfPresent(updating, forKey: .updating)
        try container.encode(submittedAt, forKey: .submittedAt)
        try container.encodeIfPresent(submitterName, forKey: .submitterName)
    }
}
