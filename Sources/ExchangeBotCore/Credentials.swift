/// What a user hands over for one exchange key. The secret and passphrase never print themselves.
public struct Credentials: Sendable, Equatable {
    public var exchange: ExchangeID
    /// The public key id (Coinbase: the CDP key name). Stored in plain text, as the seed schema does.
    public var apiKey: String
    public var apiSecret: SecretString
    /// Present exactly for the exchanges whose ``ExchangeID/requiresPassphrase`` is true.
    public var passphrase: SecretString?

    public init(exchange: ExchangeID, apiKey: String, apiSecret: SecretString, passphrase: SecretString? = nil) {
        self.exchange = exchange
        self.apiKey = apiKey
        self.apiSecret = apiSecret
        self.passphrase = passphrase
    }
}
