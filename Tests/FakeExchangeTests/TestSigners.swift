import Crypto
import ExchangeBotCore
import Foundation
import TestSupport

/// A request ready for ``RawHTTPClient``.
struct SignedRequest: Sendable {
    var method = "GET"
    var target: String
    var headers: [(String, String)]
    var body = ""

    func send(to server: FakeExchangeServer, timeout: Double = 10) async throws -> RawHTTPResponse {
        try await RawHTTPClient.send(to: server.origin, method, target, headers: headers, body: body, timeout: timeout)
    }
}

/// Signing written straight from each exchange's documentation (exchanges.md), independent of both the project's
/// signer and the fakes, so the fakes are checked against the documents and not against themselves.
enum TestSigners {
    static func hex(_ bytes: some Sequence<UInt8>) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    static func hmacSHA256(_ key: some ContiguousBytes, _ message: String) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: key)))
    }

    static func hmacSHA512(_ key: some ContiguousBytes, _ message: some DataProtocol) -> Data {
        Data(HMAC<SHA512>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// OKX's `2020-12-08T09:08:57.715Z`.
    static func isoMillis(_ milliseconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }

    /// Kraken's `API-Sign`: base64(HMAC-SHA512(base64decode(secret), path ‖ SHA256(nonce ‖ body))).
    static func krakenSign(secret: String, path: String, nonce: String, body: String) -> String {
        let digest = Data(SHA256.hash(data: Data((nonce + body).utf8)))
        return hmacSHA512(Data(base64Encoded: secret) ?? Data(), Data(path.utf8) + digest).base64EncodedString()
    }

    /// A CDP JWT as the official SDK builds it (`coinbase/jwt_generator.py`).
    static func coinbaseJWT(
        keyName: String,
        pem: String,
        uri: String,
        notBefore: Int64,
        lifetime: Int64 = 120,
        issuer: String = "cdp",
        kid: String? = nil,
        algorithm: String = "ES256"
    ) throws -> String {
        let nonce = hex((0..<32).map { _ in UInt8.random(in: 0...255) })
        let header = #"{"alg":"\#(algorithm)","kid":"\#(kid ?? keyName)","nonce":"\#(nonce)","typ":"JWT"}"#
        let claims =
            #"{"sub":"\#(keyName)","iss":"\#(issuer)","nbf":\#(notBefore),"exp":\#(notBefore + lifetime),"#
            + #""uri":"\#(uri)"}"#
        let headerPart = base64URL(Data(header.utf8))
        let claimsPart = base64URL(Data(claims.utf8))
        let signingInput = headerPart + "." + claimsPart
        let signature = try P256.Signing.PrivateKey(pemRepresentation: pem).signature(for: Data(signingInput.utf8))
        return signingInput + "." + base64URL(signature.rawRepresentation)
    }

    /// The permission request a validator would send for `account`, signed at `milliseconds` on the exchange's clock.
    static func permissionRequest(
        _ exchange: ExchangeID,
        _ account: FakeAccount,
        at milliseconds: Int64,
        nonce: UInt64? = nil
    ) throws -> SignedRequest {
        let key = account.apiKey
        let secret = account.secret
        let passphrase = account.passphrase ?? ""
        switch exchange {
        case .binance:
            let query = "timestamp=\(milliseconds)&recvWindow=5000"
            let signature = hex(hmacSHA256(Data(secret.utf8), query))
            return SignedRequest(
                target: "/sapi/v1/account/apiRestrictions?\(query)&signature=\(signature)",
                headers: [("X-MBX-APIKEY", key)]
            )
        case .bybit:
            let timestamp = String(milliseconds)
            let signature = hex(hmacSHA256(Data(secret.utf8), timestamp + key + "5000"))
            return SignedRequest(
                target: "/v5/user/query-api",
                headers: [
                    ("X-BAPI-API-KEY", key), ("X-BAPI-TIMESTAMP", timestamp), ("X-BAPI-RECV-WINDOW", "5000"),
                    ("X-BAPI-SIGN", signature),
                ]
            )
        case .okx:
            let timestamp = isoMillis(milliseconds)
            let path = "/api/v5/account/config"
            let signature = hmacSHA256(Data(secret.utf8), timestamp + "GET" + path).base64EncodedString()
            return SignedRequest(
                target: path,
                headers: [
                    ("OK-ACCESS-KEY", key), ("OK-ACCESS-SIGN", signature), ("OK-ACCESS-TIMESTAMP", timestamp),
                    ("OK-ACCESS-PASSPHRASE", passphrase),
                ]
            )
        case .gate:
            let timestamp = String(milliseconds / 1000)
            let path = "/api/v4/account/main_keys"
            let bodyHash = hex(SHA512.hash(data: Data()))
            let message = "GET\n\(path)\n\n\(bodyHash)\n\(timestamp)"
            let signature = hex(hmacSHA512(Data(secret.utf8), Data(message.utf8)))
            return SignedRequest(
                target: path,
                headers: [("KEY", key), ("Timestamp", timestamp), ("SIGN", signature)]
            )
        case .mexc:
            let query = "timestamp=\(milliseconds)&recvWindow=5000"
            let signature = hex(hmacSHA256(Data(secret.utf8), query))
            return SignedRequest(
                target: "/api/v3/account?\(query)&signature=\(signature)",
                headers: [("X-MEXC-APIKEY", key)]
            )
        case .kucoin:
            let timestamp = String(milliseconds)
            let path = "/api/v1/user/api-key"
            let signature = hmacSHA256(Data(secret.utf8), timestamp + "GET" + path).base64EncodedString()
            let signedPassphrase = hmacSHA256(Data(secret.utf8), passphrase).base64EncodedString()
            return SignedRequest(
                target: path,
                headers: [
                    ("KC-API-KEY", key), ("KC-API-SIGN", signature), ("KC-API-TIMESTAMP", timestamp),
                    ("KC-API-PASSPHRASE", signedPassphrase), ("KC-API-KEY-VERSION", "2"),
                ]
            )
        case .coinbase:
            let path = "/api/v3/brokerage/key_permissions"
            let token = try coinbaseJWT(
                keyName: key,
                pem: secret,
                uri: "GET api.coinbase.com\(path)",
                notBefore: milliseconds / 1000
            )
            return SignedRequest(target: path, headers: [("Authorization", "Bearer \(token)")])
        case .coinbaseexchange:
            let timestamp = String(milliseconds / 1000)
            let signature = hmacSHA256(Data(base64Encoded: secret) ?? Data(), timestamp + "GET" + "/accounts")
                .base64EncodedString()
            return SignedRequest(
                target: "/accounts",
                headers: [
                    ("CB-ACCESS-KEY", key), ("CB-ACCESS-SIGN", signature), ("CB-ACCESS-TIMESTAMP", timestamp),
                    ("CB-ACCESS-PASSPHRASE", passphrase),
                ]
            )
        case .kraken:
            let path = "/0/private/GetApiKeyInfo"
            let nonceText = String(nonce ?? UInt64(milliseconds))
            let body = "nonce=\(nonceText)"
            return SignedRequest(
                method: "POST",
                target: path,
                headers: [
                    ("API-Key", key),
                    ("API-Sign", krakenSign(secret: secret, path: path, nonce: nonceText, body: body)),
                    ("Content-Type", "application/x-www-form-urlencoded"),
                ],
                body: body
            )
        }
    }

    /// The fake's clock in milliseconds, to sign "now" as the exchange sees it.
    static func millis(_ server: FakeExchangeServer) -> Int64 {
        Int64((server.now.timeIntervalSince1970 * 1000).rounded(.down))
    }
}
