import Crypto
import ExchangeBotCore
import Foundation

/// Kraken spot REST private endpoints.
///
/// Follows the Kraken docs, "Spot REST API → Authentication"
/// (`https://docs.kraken.com/api/docs/guides/spot-rest-auth`):
/// `API-Sign = base64(HMAC-SHA512(base64decode(secret), URIpath ‖ SHA256(nonce + POSTdata)))`, where SHA256 is the
/// raw 32-byte digest and POSTdata the exact body, which itself contains the nonce.
///
/// Kraken checks that nonces increase per key, not that they match a clock, so the signer does not invent one:
/// the caller builds the form-encoded body with `nonce=<digits>` as its **first** field (for example
/// `nonce=1616492376594&pair=XBTUSD`), typically from a per-key strictly increasing counter, and the signer reads it
/// from there. The `time` argument of ``sign(_:credentials:at:)`` is therefore unused. JSON bodies are not supported.
public struct KrakenSigner: RequestSigner {
    public var exchange: ExchangeID { .kraken }

    public init() {}

    /// Adds `API-Key` and `API-Sign`; the body must already start with `nonce=`.
    public func sign(_ request: ExchangeRequest, credentials: Credentials, at time: Date) throws(SigningError)
        -> ExchangeRequest
    {
        try CredentialCheck.validate(credentials, for: .kraken)
        let nonce = try Self.nonce(inBody: request.body)
        let signature = try Self.signature(
            path: request.path,
            nonce: nonce,
            body: request.body,
            secret: credentials.apiSecret
        )
        var signed = request
        signed.setHeader("API-Key", credentials.apiKey)
        signed.setHeader("API-Sign", signature)
        return signed
    }

    /// The value of the body's leading `nonce=` field.
    static func nonce(inBody body: String) throws(SigningError) -> String {
        let prefix = "nonce="
        guard body.hasPrefix(prefix) else { throw .missingNonce }
        let value = body.dropFirst(prefix.count).prefix { $0 != "&" }
        guard !value.isEmpty, value.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw .missingNonce }
        return String(value)
    }

    /// The bytes Kraken MACs: the URI path followed by the raw SHA-256 of `nonce + body`.
    static func message(path: String, nonce: String, body: String) -> [UInt8] {
        Array(path.utf8) + Array(SHA256.hash(data: Data((nonce + body).utf8)))
    }

    static func signature(path: String, nonce: String, body: String, secret: SecretString) throws(SigningError)
        -> String
    {
        let key = try SigningKey.base64(secret, exchange: .kraken)
        return Encoding.base64(MAC.sha512(message(path: path, nonce: nonce, body: body), key: key))
    }
}
