import ExchangeBotCore
import Foundation

/// Coinbase Exchange (institutional; the scheme of the retired Coinbase Pro).
///
/// Follows the Coinbase Exchange docs, "Exchange REST API Authentication" → "Signing Requests"
/// (`https://docs.cdp.coinbase.com/exchange/rest-api/authentication`): `CB-ACCESS-SIGN = base64(HMAC-SHA256(
/// base64decode(secret), timestamp + METHOD + requestPath + body))`, with `requestPath` including `?query`, the
/// timestamp in seconds and the passphrase sent in plain text. Sends whole seconds, as CCXT does; the docs also
/// allow decimals.
public struct CoinbaseExchangeSigner: RequestSigner {
    public var exchange: ExchangeID { .coinbaseexchange }

    public init() {}

    /// Adds `CB-ACCESS-KEY`, `CB-ACCESS-SIGN`, `CB-ACCESS-TIMESTAMP` and `CB-ACCESS-PASSPHRASE`.
    public func sign(_ request: ExchangeRequest, credentials: Credentials, at time: Date) throws(SigningError)
        -> ExchangeRequest
    {
        let passphrase = try CredentialCheck.passphrase(credentials, for: .coinbaseexchange)
        var signed = request
        signed.method = request.method.uppercased()
        let timestamp = try SigningTime.seconds(time)
        let text = Self.stringToSign(
            timestamp: timestamp,
            method: signed.method,
            requestPath: signed.pathAndQuery,
            body: signed.body
        )
        let signature = try Self.signature(for: text, secret: credentials.apiSecret)
        signed.setHeader("CB-ACCESS-KEY", credentials.apiKey)
        signed.setHeader("CB-ACCESS-SIGN", signature)
        signed.setHeader("CB-ACCESS-TIMESTAMP", String(timestamp))
        signed.setHeader("CB-ACCESS-PASSPHRASE", passphrase.exposedValue)
        return signed
    }

    static func stringToSign(timestamp: Int64, method: String, requestPath: String, body: String) -> String {
        "\(timestamp)\(method)\(requestPath)\(body)"
    }

    /// base64 HMAC-SHA256 keyed with the base64-decoded secret.
    static func signature(for stringToSign: String, secret: SecretString) throws(SigningError) -> String {
        let key = try SigningKey.base64(secret, exchange: .coinbaseexchange)
        return Encoding.base64(MAC.sha256(stringToSign, key: key))
    }
}
