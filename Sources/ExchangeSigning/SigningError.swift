import ExchangeBotCore

/// Why a request could not be signed.
///
/// Cases carry only exchange ids and numbers, never key material, so an error can be logged or shown to the user
/// as it is.
public enum SigningError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The credentials belong to another exchange than the signer's.
    case wrongExchange(expected: ExchangeID, got: ExchangeID)
    /// The API key or the secret is empty.
    case missingKeyOrSecret(ExchangeID)
    /// The exchange needs a passphrase and none (or an empty one) was given.
    case missingPassphrase(ExchangeID)
    /// The exchange expects a base64 secret (Kraken, Coinbase Exchange) and this one does not decode.
    case secretNotBase64(ExchangeID)
    /// Coinbase: the secret is not a PEM-encoded EC P-256 private key (SEC1 or PKCS#8).
    case notAnECP256PrivateKey
    /// Coinbase: signing with the key failed inside the crypto library.
    case signingFailed
    /// Kraken: the body does not start with `nonce=<digits>`.
    case missingNonce
    /// Binance, MEXC, Bybit: the receive window is outside what the exchange accepts (1...60000 ms).
    case receiveWindowOutOfRange(Int)
    /// The time to sign for is not finite or lies outside the years 1 to 9999 (a broken clock or server time).
    case timeOutOfRange

    public var description: String {
        switch self {
        case .wrongExchange(let expected, let got):
            "credentials for \(got.displayName) given to the \(expected.displayName) signer"
        case .missingKeyOrSecret(let exchange):
            "\(exchange.displayName) needs a non-empty API key and secret"
        case .missingPassphrase(let exchange):
            "\(exchange.displayName) needs the passphrase chosen when the key was created"
        case .secretNotBase64(let exchange):
            "the \(exchange.displayName) secret is not valid base64"
        case .notAnECP256PrivateKey:
            "the Coinbase secret is not a PEM EC P-256 private key (expected \"-----BEGIN EC PRIVATE KEY-----\")"
        case .signingFailed:
            "the Coinbase key could not sign the request"
        case .missingNonce:
            "the Kraken request body must start with nonce=<digits>"
        case .receiveWindowOutOfRange(let milliseconds):
            "receive window \(milliseconds) ms is outside 1...60000 ms"
        case .timeOutOfRange:
            "the time to sign for is not a time between the years 1 and 9999"
        }
    }
}
