import ExchangeBotCore
import Foundation

/// KuCoin (classic spot API), API key version 2.
///
/// Follows the KuCoin API docs, section "Authentication" (legacy `docs.kucoin.com`, repo
/// `Kucoin/kucoin-api-docs`): `KC-API-SIGN = base64(HMAC-SHA256(secret, timestamp + METHOD
/// + endpoint + body))` with `endpoint` including `?query`, timestamp in ms, and for key version 2 the passphrase
/// itself HMAC'd: `KC-API-PASSPHRASE = base64(HMAC-SHA256(secret, passphrase))`.
public struct KuCoinSigner: RequestSigner {
    public var exchange: ExchangeID { .kucoin }

    public init() {}

    /// Adds `KC-API-KEY`, `KC-API-SIGN`, `KC-API-TIMESTAMP`, `KC-API-PASSPHRASE` and `KC-API-KEY-VERSION: 2`.
    public func sign(_ request: ExchangeRequest, credentials: Credentials, at time: Date) throws(SigningError)
        -> ExchangeRequest
    {
        let passphrase = try CredentialCheck.passphrase(credentials, for: .kucoin)
        var signed = request
        signed.method = request.method.uppercased()
        let timestamp = try SigningTime.milliseconds(time)
        let text = Self.stringToSign(
            timestamp: timestamp,
            method: signed.method,
            endpoint: signed.pathAndQuery,
            body: signed.body
        )
        signed.setHeader("KC-API-KEY", credentials.apiKey)
        signed.setHeader("KC-API-SIGN", Self.signature(for: text, secret: credentials.apiSecret))
        signed.setHeader("KC-API-TIMESTAMP", String(timestamp))
        signed.setHeader(
            "KC-API-PASSPHRASE",
            Self.passphraseHeader(passphrase: passphrase, secret: credentials.apiSecret)
        )
        signed.setHeader("KC-API-KEY-VERSION", "2")
        return signed
    }

    static func stringToSign(timestamp: Int64, method: String, endpoint: String, body: String) -> String {
        "\(timestamp)\(method)\(endpoint)\(body)"
    }

    /// base64 HMAC-SHA256 keyed with the secret's UTF-8 bytes.
    static func signature(for stringToSign: String, secret: SecretString) -> String {
        Encoding.base64(MAC.sha256(stringToSign, key: SigningKey.utf8(secret)))
    }

    /// The version-2 passphrase header. The legacy docs' own example shows plain base64 of the passphrase
    /// instead, which is what neither version sends.
    static func passphraseHeader(passphrase: SecretString, secret: SecretString) -> String {
        Encoding.base64(MAC.sha256(passphrase.exposedValue, key: SigningKey.utf8(secret)))
    }
}
