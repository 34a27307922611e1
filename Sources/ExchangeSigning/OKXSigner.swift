import ExchangeBotCore
import Foundation

/// OKX V5.
///
/// Follows the OKX V5 docs, "Overview → REST Authentication → Making Requests / Signature"
/// (`https://www.okx.com/docs-v5/en/#overview-rest-authentication`): `OK-ACCESS-SIGN = base64(HMAC-SHA256(secret,
/// timestamp + METHOD + requestPath + body))`, with `requestPath` including `?query`, the timestamp in ISO 8601 UTC
/// with milliseconds, and the passphrase sent in plain text.
public struct OKXSigner: RequestSigner {
    public var exchange: ExchangeID { .okx }

    /// Adds `x-simulated-trading: 1`, which OKX requires on every request made with a demo-trading key
    /// ("Overview → Demo Trading Services"); a live key sent with it (or a demo key without it) fails with 50101.
    public var simulatedTrading: Bool

    public init(simulatedTrading: Bool = false) {
        self.simulatedTrading = simulatedTrading
    }

    /// Adds `OK-ACCESS-KEY`, `OK-ACCESS-SIGN`, `OK-ACCESS-TIMESTAMP`, `OK-ACCESS-PASSPHRASE` (and the demo header).
    public func sign(_ request: ExchangeRequest, credentials: Credentials, at time: Date) throws(SigningError)
        -> ExchangeRequest
    {
        let passphrase = try CredentialCheck.passphrase(credentials, for: .okx)
        var signed = request
        signed.method = request.method.uppercased()
        let timestamp = try SigningTime.iso8601Milliseconds(time)
        let text = Self.stringToSign(
            timestamp: timestamp,
            method: signed.method,
            requestPath: signed.pathAndQuery,
            body: signed.body
        )
        signed.setHeader("OK-ACCESS-KEY", credentials.apiKey)
        signed.setHeader("OK-ACCESS-SIGN", Self.signature(for: text, secret: credentials.apiSecret))
        signed.setHeader("OK-ACCESS-TIMESTAMP", timestamp)
        signed.setHeader("OK-ACCESS-PASSPHRASE", passphrase.exposedValue)
        if simulatedTrading {
            signed.setHeader("x-simulated-trading", "1")
        }
        return signed
    }

    static func stringToSign(timestamp: String, method: String, requestPath: String, body: String) -> String {
        timestamp + method + requestPath + body
    }

    /// base64 HMAC-SHA256 keyed with the secret's UTF-8 bytes (OKX secrets look like hex but are not decoded).
    static func signature(for stringToSign: String, secret: SecretString) -> String {
        Encoding.base64(MAC.sha256(stringToSign, key: SigningKey.utf8(secret)))
    }
}
