import ExchangeBotCore
import Foundation

/// Binance spot HMAC-SHA256 keys.
///
/// Follows the Binance Spot API docs, rest-api.md "Request Security → SIGNED Endpoint security" and "SIGNED
/// Endpoint Examples for POST /api/v3/order → HMAC Keys": `signature = hex(HMAC-SHA256(secret, query +
/// body))`, sent as the last parameter, with `timestamp` (ms) and `recvWindow`, and the key in `X-MBX-APIKEY`.
/// RSA and Ed25519 Binance keys are not supported.
public struct BinanceSigner: RequestSigner {
    public var exchange: ExchangeID { .binance }

    /// Milliseconds after `timestamp` the request stays valid. The docs' default is 5000 and the maximum 60000.
    public var receiveWindow: Int

    public init(receiveWindow: Int = 5000) {
        self.receiveWindow = receiveWindow
    }

    /// Adds `timestamp`, `recvWindow`, `signature` (to the body if there is one, else to the query; see
    /// ``TotalParamsScheme``) and the `X-MBX-APIKEY` header.
    public func sign(_ request: ExchangeRequest, credentials: Credentials, at time: Date) throws(SigningError)
        -> ExchangeRequest
    {
        try TotalParamsScheme.sign(
            request,
            credentials: credentials,
            at: time,
            receiveWindow: receiveWindow,
            exchange: .binance,
            apiKeyHeader: "X-MBX-APIKEY"
        )
    }

    /// "totalParams": the query string concatenated with the body.
    static func stringToSign(query: String, body: String) -> String {
        TotalParamsScheme.stringToSign(query: query, body: body)
    }

    static func signature(for stringToSign: String, secret: SecretString) -> String {
        TotalParamsScheme.signature(for: stringToSign, secret: secret)
    }
}
