import Crypto
import ExchangeBotCore
import Foundation

/// Coinbase Advanced Trade with CDP API keys: a fresh ES256 JWT per request.
///
/// Follows the official Advanced Trade SDK `coinbase-advanced-py` 1.8.4, `coinbase/jwt_generator.py` (documented at
/// `https://coinbase.github.io/coinbase-advanced-py/jwt_generator.html`), as summarised in the reference sheet §9.1:
/// header `alg` ES256, `kid` = key name, `nonce` = 32 random bytes in hex, `typ` JWT; claims `sub` = key name,
/// `iss` = `cdp`, `nbf` = now, `exp` = now + 120 s, `uri` = `"<METHOD> <host><path>"` (no scheme, no query); sent
/// as `Authorization: Bearer`.
///
/// The credentials' `apiKey` is the key name (`organizations/{org}/apiKeys/{id}`) and the secret the EC P-256
/// private key PEM from the key file. Ed25519 CDP keys are not supported.
public struct CoinbaseSigner: RequestSigner {
    public var exchange: ExchangeID { .coinbase }

    /// The host named in the `uri` claim; Coinbase checks it against the host the request went to.
    public var host: String
    private let makeNonce: @Sendable () -> String

    /// How long a token is valid, as in the official SDK.
    static let lifetime: Int64 = 120

    /// - Parameters:
    ///   - host: The API host without scheme.
    ///   - nonce: Makes the JWT header's `nonce`; only tests replace the default, to get repeatable tokens.
    public init(
        host: String = "api.coinbase.com",
        nonce: @escaping @Sendable () -> String = CoinbaseSigner.randomNonce
    ) {
        self.host = host
        makeNonce = nonce
    }

    /// 32 random bytes in lowercase hex, like Python's `secrets.token_hex()` that the official SDK uses.
    public static func randomNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return Encoding.hex((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// Adds `Authorization: Bearer <JWT>`.
    public func sign(_ request: ExchangeRequest, credentials: Credentials, at time: Date) throws(SigningError)
        -> ExchangeRequest
    {
        try CredentialCheck.validate(credentials, for: .coinbase)
        let key = try Self.privateKey(from: credentials.apiSecret)
        var signed = request
        signed.method = request.method.uppercased()
        let notBefore = try SigningTime.seconds(time)
        let input = Self.signingInput(
            header: Self.header(keyName: credentials.apiKey, nonce: makeNonce()),
            claims: Self.claims(
                keyName: credentials.apiKey,
                uri: Self.uri(method: signed.method, host: host, path: signed.path),
                notBefore: notBefore
            )
        )
        signed.setHeader("Authorization", "Bearer \(try Self.token(signingInput: input, key: key))")
        return signed
    }

    static func uri(method: String, host: String, path: String) -> String {
        "\(method) \(host)\(path)"
    }

    /// The JOSE header, keys sorted as PyJWT writes them, so a token matches the SDK's byte for byte.
    static func header(keyName: String, nonce: String) -> String {
        #"{"alg":"ES256","kid":\#(jsonString(keyName)),"nonce":\#(jsonString(nonce)),"typ":"JWT"}"#
    }

    /// The claims, in the SDK's order.
    static func claims(keyName: String, uri: String, notBefore: Int64) -> String {
        #"{"sub":\#(jsonString(keyName)),"iss":"cdp","nbf":\#(notBefore),"exp":\#(notBefore + lifetime),"#
            + #""uri":\#(jsonString(uri))}"#
    }

    /// `base64url(header).base64url(claims)`, the text ES256 signs (RFC 7515 §5.1).
    static func signingInput(header: String, claims: String) -> String {
        "\(Encoding.base64URL(Array(header.utf8))).\(Encoding.base64URL(Array(claims.utf8)))"
    }

    /// The signed JWT; ECDSA uses fresh randomness, so two tokens for the same input differ.
    static func token(signingInput: String, key: P256.Signing.PrivateKey) throws(SigningError) -> String {
        let signature: P256.Signing.ECDSASignature
        do {
            signature = try key.signature(for: Data(signingInput.utf8))
        } catch {
            throw .signingFailed
        }
        // JWS wants r ‖ s (64 bytes), which is the raw representation, not DER.
        return "\(signingInput).\(Encoding.base64URL(signature.rawRepresentation))"
    }

    /// Parses the PEM from the CDP key file: SEC1 (`EC PRIVATE KEY`, what Coinbase issues) or PKCS#8.
    static func privateKey(from secret: SecretString) throws(SigningError) -> P256.Signing.PrivateKey {
        // Keys copied out of the CDP JSON file often keep its escaped "\n"s, and pasted text may be indented.
        let lines = secret.exposedValue
            .replacingOccurrences(of: "\\n", with: "\n")
            .split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        if let key = try? P256.Signing.PrivateKey(pemRepresentation: lines.joined(separator: "\n")) {
            return key
        }
        // swift-crypto's PEM parser insists on 64-character lines; accept a key wrapped at another width too.
        let labels = ["EC PRIVATE KEY", "PRIVATE KEY"]
        guard lines.count >= 3,
            labels.contains(where: {
                lines[0] == "-----BEGIN \($0)-----" && lines[lines.count - 1] == "-----END \($0)-----"
            }),
            let der = Data(base64Encoded: lines.dropFirst().dropLast().joined()),
            let key = try? P256.Signing.PrivateKey(derRepresentation: der)
        else {
            throw .notAnECP256PrivateKey
        }
        return key
    }

    /// A JSON string literal (RFC 8259 §7); key names and hex nonces never need more than this.
    static func jsonString(_ text: String) -> String {
        var literal = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": literal += "\\\""
            case "\\": literal += "\\\\"
            case "\n": literal += "\\n"
            case "\r": literal += "\\r"
            case "\t": literal += "\\t"
            case _ where scalar.value < 0x20: literal += "\\u00" + Encoding.hex([UInt8(scalar.value)])
            default: literal.unicodeScalars.append(scalar)
            }
        }
        return literal + "\""
    }
}
