import ExchangeBotCore
import Foundation

/// Bybit V5 HMAC keys.
///
/// Follows the Bybit V5 docs, "Integration Guidance" → "Authentication for public and private endpoints"
/// (`docs/v5/guide.mdx`): `X-BAPI-SIGN = hex(HMAC-SHA256(secret, timestamp + apiKey + recvWindow + payload))`,
/// where the payload is the query string for GET and the raw JSON body for POST. RSA Bybit keys are not supported.
public struct BybitSigner: RequestSigner {
    public var exchange: ExchangeID { .bybit }

    /// `X-BAPI-RECV-WINDOW` in milliseconds; the docs' default is 5000.
    public var receiveWindow: Int

    public init(receiveWindow: Int = 5000) {
        self.receiveWindow = receiveWindow
    }

    /// Adds `X-BAPI-API-KEY`, `X-BAPI-TIMESTAMP`, `X-BAPI-SIGN` and `X-BAPI-RECV-WINDOW`.
    public func sign(_ request: ExchangeRequest, credentials: Credentials, at time: Date) throws(SigningError)
        -> ExchangeRequest
    {
        try CredentialCheck.validate(credentials, for: .bybit)
        try CredentialCheck.receiveWindow(receiveWindow)
        var signed = request
        signed.method = request.method.uppercased()
        let timestamp = try SigningTime.milliseconds(time)
        let text = Self.stringToSign(
            timestamp: timestamp,
            apiKey: credentials.apiKey,
            receiveWindow: receiveWindow,
            payload: Self.payload(of: signed)
        )
        signed.setHeader("X-BAPI-API-KEY", credentials.apiKey)
        signed.setHeader("X-BAPI-TIMESTAMP", String(timestamp))
        signed.setHeader("X-BAPI-SIGN", Self.signature(for: text, secret: credentials.apiSecret))
        signed.setHeader("X-BAPI-RECV-WINDOW", String(receiveWindow))
        return signed
    }

    /// What Bybit signs after the fixed prefix: the query (without `?`) for GET, the body otherwise.
    static func payload(of request: ExchangeRequest) -> String {
        request.method == "GET" ? request.query : request.body
    }

    static func stringToSign(timestamp: Int64, apiKey: String, receiveWindow: Int, payload: String) -> String {
        "\(timestamp)\(apiKey)\(receiveWindow)\(payload)"
    }

    /// Lowercase hex HMAC-SHA256 keyed with the secret's UTF-8 bytes.
    static func signature(for stringToSign: String, secret: SecretString) -> String {
        Encoding.hex(MAC.sha256(stringToSign, key: SigningKey.utf8(secret)))
    }
}
