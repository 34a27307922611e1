import Crypto
import ExchangeBotCore
import Foundation

/// Gate API v4.
///
/// Follows the Gate API v4 docs, "APIv4 signed request requirements" and "API Signature string generation"
/// (`https://www.gate.com/docs/developers/apiv4/en/#api-signature-string-generation`):
/// `SIGN = hex(HMAC-SHA512(secret, METHOD\nPATH\nQUERY\nhex(SHA512(body))\nTimestamp))`, Timestamp in seconds.
public struct GateSigner: RequestSigner {
    public var exchange: ExchangeID { .gate }

    public init() {}

    /// Adds `KEY`, `Timestamp` and `SIGN`.
    ///
    /// The request's `path` must start with `/api/v4`, since Gate signs the path from the host, and the query is
    /// signed exactly as sent (the docs' "without URL encoding" means: do not encode it again for signing).
    public func sign(_ request: ExchangeRequest, credentials: Credentials, at time: Date) throws(SigningError)
        -> ExchangeRequest
    {
        try CredentialCheck.validate(credentials, for: .gate)
        var signed = request
        signed.method = request.method.uppercased()
        let timestamp = try SigningTime.seconds(time)
        let text = Self.stringToSign(
            method: signed.method,
            path: signed.path,
            query: signed.query,
            body: signed.body,
            timestamp: timestamp
        )
        signed.setHeader("KEY", credentials.apiKey)
        signed.setHeader("Timestamp", String(timestamp))
        signed.setHeader("SIGN", Self.signature(for: text, secret: credentials.apiSecret))
        return signed
    }

    /// Lowercase hex SHA-512 of the body; an empty body hashes the empty string, it is not left out.
    static func bodyHash(_ body: String) -> String {
        Encoding.hex(SHA512.hash(data: Data(body.utf8)))
    }

    static func stringToSign(method: String, path: String, query: String, body: String, timestamp: Int64) -> String {
        [method, path, query, bodyHash(body), String(timestamp)].joined(separator: "\n")
    }

    /// Lowercase hex HMAC-SHA512 keyed with the secret's UTF-8 bytes.
    static func signature(for stringToSign: String, secret: SecretString) -> String {
        Encoding.hex(MAC.sha512(stringToSign, key: SigningKey.utf8(secret)))
    }
}
