import ExchangeBotCore
import Foundation

/// The "totalParams" HMAC scheme Binance designed and MEXC copied: the signature covers the query string
/// concatenated with the body (no separator) and travels as the last parameter.
enum TotalParamsScheme {
    /// `query + body`, with no `&` between them (Binance "SIGNED endpoint examples", MEXC Example 3).
    static func stringToSign(query: String, body: String) -> String { query + body }

    /// Lowercase hex HMAC-SHA256 keyed with the secret's UTF-8 bytes.
    static func signature(for stringToSign: String, secret: SecretString) -> String {
        Encoding.hex(MAC.sha256(stringToSign, key: SigningKey.utf8(secret)))
    }

    /// Appends `timestamp`, `recvWindow` and then `signature`, and sets the API-key header.
    ///
    /// The parameters go into the body when the caller sent one and into the query otherwise, so that `signature`
    /// is always the last parameter of `query + body` — the layout of the exchanges' own mixed example, and the
    /// only one their docs promise to accept. The body must therefore be form-encoded, not JSON.
    static func sign(
        _ request: ExchangeRequest,
        credentials: Credentials,
        at time: Date,
        receiveWindow: Int,
        exchange: ExchangeID,
        apiKeyHeader: String
    ) throws(SigningError) -> ExchangeRequest {
        try CredentialCheck.validate(credentials, for: exchange)
        try CredentialCheck.receiveWindow(receiveWindow)
        var signed = request
        let timestamp = try SigningTime.milliseconds(time)
        let timing = "timestamp=\(timestamp)&recvWindow=\(receiveWindow)"
        let inBody = !request.body.isEmpty
        if inBody {
            signed.body = FormText.appending(timing, to: signed.body)
        } else {
            signed.query = FormText.appending(timing, to: signed.query)
        }
        let signature = signature(
            for: stringToSign(query: signed.query, body: signed.body),
            secret: credentials.apiSecret
        )
        if inBody {
            signed.body = FormText.appending("signature=\(signature)", to: signed.body)
        } else {
            signed.query = FormText.appending("signature=\(signature)", to: signed.query)
        }
        signed.setHeader(apiKeyHeader, credentials.apiKey)
        return signed
    }
}
