/// What the start-up master key check found, on either storage engine.
public struct MasterKeyCheckReport: Sendable, Equatable {
    /// Stored tokens (secrets, passphrases, API keys stored as tokens, the bot's sealed rows).
    public var tokens: Int
    public var openedByPrimary: Int
    public var openedByOlderKeys: Int
    public var unreadable: Int

    public init(tokens: Int, openedByPrimary: Int, openedByOlderKeys: Int, unreadable: Int) {
        self.tokens = tokens
        self.openedByPrimary = openedByPrimary
        self.openedByOlderKeys = openedByOlderKeys
        self.unreadable = unreadable
    }

    /// True when there are stored secrets and not one of them opens: the wrong key is configured.
    public var wrongKey: Bool { tokens > 0 && unreadable == tokens }
}

/// What `rotate-key` re-sealed, on either storage engine: counts and the primary key's fingerprint, never a secret.
public struct MasterKeyRotationReport: Sendable, Equatable {
    public var rows: Int
    public var secrets: Int
    public var passphrases: Int
    /// API keys stored as Fernet tokens (newer Python rows), re-sealed like the secrets.
    public var apiKeys: Int
    /// Undelivered outbox events (sealed), re-sealed so they stay deliverable once the old key is dropped.
    public var outboxEvents: Int
    /// Tokens that were already under the primary key (re-sealed anyway, with a fresh IV).
    public var alreadyUnderPrimary: Int
    public var primaryFingerprint: String
    /// The bot's sealed rows (conversation states and received updates), re-sealed in the same transaction.
    public var botTokens: Int

    public init(
        rows: Int,
        secrets: Int,
        passphrases: Int,
        apiKeys: Int = 0,
        outboxEvents: Int = 0,
        alreadyUnderPrimary: Int,
        primaryFingerprint: String,
        botTokens: Int = 0
    ) {
        self.rows = rows
        self.secrets = secrets
        self.passphrases = passphrases
        self.apiKeys = apiKeys
        self.outboxEvents = outboxEvents
        self.alreadyUnderPrimary = alreadyUnderPrimary
        self.primaryFingerprint = primaryFingerprint
        self.botTokens = botTokens
    }
}

/// `rotate-key` found tokens that open with none of the configured keys, and wrote nothing.
public struct UnreadableSecrets: Error, Sendable, CustomStringConvertible {
    /// The `user_exchanges` rows whose secret, passphrase or API key no key opens.
    public let rowIDs: [Int64]
    /// Bot rows (conversations, received updates) and undelivered outbox events that no key opens.
    public var botTokens: Int

    public init(rowIDs: [Int64], botTokens: Int = 0) {
        self.rowIDs = rowIDs
        self.botTokens = botTokens
    }

    public var description: String {
        let shown = rowIDs.prefix(20).map(String.init).joined(separator: ", ")
        var parts = [String]()
        if !rowIDs.isEmpty { parts.append("user_exchanges.id: \(shown)\(rowIDs.count > 20 ? ", …" : "")") }
        if botTokens > 0 { parts.append("\(botTokens) bot conversation/update or undelivered outbox row(s)") }
        return
            "\(rowIDs.count + botTokens) stored secret(s) open with none of the keys in BRAIN_CAPITAL_MASTER_KEY "
            + "(\(parts.joined(separator: "; "))); nothing was changed"
    }
}
