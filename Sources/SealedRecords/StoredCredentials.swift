import ExchangeBotCore
import Fernet

/// A key's credential columns as either engine reads them (`user_exchanges`), and how they open.
public struct StoredCredentials: Sendable {
    public let exchangeName: String
    /// As stored: clear text, or a Fernet token where the seed's newer rows encrypted it.
    public let apiKey: String
    public let secretToken: String
    public let passphraseToken: String?

    public init(exchangeName: String, apiKey: String, secretToken: String, passphraseToken: String?) {
        self.exchangeName = exchangeName
        self.apiKey = apiKey
        self.secretToken = secretToken
        self.passphraseToken = passphraseToken
    }

    /// The credentials, opened with the ring. A secret no configured key opens is the service's fault, not the
    /// owner's: it is reported as ``ApprovalError/secretUnreadable``, without any detail of the token.
    public func open(with ring: MultiFernet) throws(ApprovalError) -> Credentials {
        guard let exchange = ExchangeID(normalizing: exchangeName) else {
            throw ApprovalError.unknownExchange(exchangeName)
        }
        do {
            let secret = try ring.decryptString(secretToken)
            let passphrase = try passphraseToken.map { (token) throws(FernetError) in try ring.decryptString(token) }
            return Credentials(
                exchange: exchange,
                apiKey: Self.revealAPIKey(apiKey, with: ring),
                apiSecret: SecretString(secret),
                passphrase: passphrase.map(SecretString.init)
            )
        } catch {
            throw ApprovalError.secretUnreadable
        }
    }

    /// An API key as the exchange needs it: the seed's newer rows store it as a Fernet token, older ones (and this
    /// service) in clear. A token no configured key opens is shown as stored.
    public static func revealAPIKey(_ stored: String, with ring: MultiFernet) -> String {
        guard FernetShape.isToken(stored), let plain = try? ring.decryptString(stored) else { return stored }
        return plain
    }
}
