import ExchangeBotCore
import Foundation

/// MEXC spot v3.
///
/// Follows the MEXC Spot V3 docs (repo `mexcdevelop/apidocs`, branch `spot_v3_en`), "Signed" under "Endpoint
/// security type": `signature = lowercase hex(HMAC-SHA256(secret, query + body))` as the last parameter, with
/// `timestamp` (ms) and `recvWindow`, and the key in `X-MEXC-APIKEY`. The scheme is Binance's; see
/// ``TotalParamsScheme``. The docs' "Example 1" signature is wrong (it is not the HMAC of its own string).
public struct MEXCSigner: RequestSigner {
    public var exchange: ExchangeID { .mexc }

    /// Milliseconds after `timestamp` the request stays valid. The docs' default is 5000 and the maximum 60000.
    public var receiveWindow: Int

    public init(receiveWindow: Int = 5000) {
        self.receiveWindow = receiveWindow
    }

    /// Adds `timestamp`, `recvWindow`, `signature` (to the body if there is one, else to the query) and the
    /// `X-MEXC-APIKEY` header.
    public func sign(_ request: ExchangeRequest, credentials: Credentials, at time: Date) throws(SigningError)
        -> ExchangeRequest
    {
        try TotalParamsScheme.sign(
            request,
            credentials: credentials,
            at: time,
            receiveWindow: receiveWindow,
            exchange: .mexc,
            apiKeyHeader: "X-MEXC-APIKEY"
        )
    }

    /// "totalParams": the query string concatenated with the body, without `&` (the docs' Example 3).
    static func stringToSign(query: String, body: String) -> String {
        TotalParamsScheme.stringToSign(query: query, body: body)
    }

    static func signature(for stringToSign: String, secret: SecretString) -> String {
        TotalParamsScheme.signature(for: stringToSign, secret: secret)
    }
}
