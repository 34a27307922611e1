import Crypto
import ExchangeBotCore
import Foundation
import TestSupport
import Testing

@testable import ExchangeSigning

/// Reference sheet §9.1. ES256 signatures are randomised, so tokens are checked by verifying them with the public
/// key, and header and claims byte for byte against the sheet's token.
@Suite("Coinbase Advanced Trade signer")
struct CoinbaseSignerTests {
    static let keyName =
        "organizations/00000000-0000-0000-0000-000000000000/apiKeys/11111111-1111-1111-1111-111111111111"
    /// The RFC 6979 A.2.5 P-256 test key (private scalar `c9afa9d8…6721`), as Coinbase issues keys: SEC1 PEM.
    static let sec1PEM = """
        -----BEGIN EC PRIVATE KEY-----
        MHcCAQEEIMmvqdhFunUWa1whV2ex1pNOUMPbNuibEnuKYisSD2choAoGCCqGSM49
        AwEHoUQDQgAEYP7UuiVanTHJYet0xjVtaMBJuJI7Yfps5mliLmDyn7Z5A/4QCLi8
        maQa6elWKLxk8vGyDC1+n1F3o8KU1EYimQ==
        -----END EC PRIVATE KEY-----

        """
    /// The same key as PKCS#8 (written by Python `cryptography`).
    static let pkcs8PEM = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgya+p2EW6dRZrXCFX
        Z7HWk05Qw9s26JsSe4piKxIPZyGhRANCAARg/tS6JVqdMclh63TGNW1owEm4kjth
        +mzmaWIuYPKftnkD/hAIuLyZpBrp6VYovGTy8bIMLX6fUXejwpTURiKZ
        -----END PRIVATE KEY-----
        """
    static let publicPEM = """
        -----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEYP7UuiVanTHJYet0xjVtaMBJuJI7
        Yfps5mliLmDyn7Z5A/4QCLi8maQa6elWKLxk8vGyDC1+n1F3o8KU1EYimQ==
        -----END PUBLIC KEY-----
        """
    static let sheetNonce = "0123456789abcdef0123456789abcdef"
    static let sheetToken =
        "eyJhbGciOiJFUzI1NiIsImtpZCI6Im9yZ2FuaXphdGlvbnMvMDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAwL2FwaUtleXMvMT"
        + "ExMTExMTEtMTExMS0xMTExLTExMTEtMTExMTExMTExMTExIiwibm9uY2UiOiIwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZi"
        + "IsInR5cCI6IkpXVCJ9"
        + ".eyJzdWIiOiJvcmdhbml6YXRpb25zLzAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMC9hcGlLZXlzLzExMTExMTExLTExMTE"
        + "tMTExMS0xMTExLTExMTExMTExMTExMSIsImlzcyI6ImNkcCIsIm5iZiI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAwMTIwLCJ1cmkiOiJ"
        + "HRVQgYXBpLmNvaW5iYXNlLmNvbS9hcGkvdjMvYnJva2VyYWdlL2FjY291bnRzIn0"
        + ".fKZb5VvWDgfZ4LYOtKplVDVGUaPsJ1frSfe37allc_zvFVj322NwlZrP92T-Spj6aAWE7rfapQJcT8n7o2vNcQ"

    static let accountsRequest = ExchangeRequest(method: "GET", path: "/api/v3/brokerage/accounts")

    static func credentials(secret: String = sec1PEM) -> Credentials {
        Fixture.credentials(.coinbase, key: keyName, secret: secret)
    }

    static func signer(nonce: String = sheetNonce) -> CoinbaseSigner {
        CoinbaseSigner(nonce: { nonce })
    }

    /// A JWS compact token split into its parts.
    struct Token {
        let signingInput: String
        let header: Data
        let claims: Data
        let signature: Data

        init(_ text: String) throws {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            try #require(parts.count == 3)
            signingInput = "\(parts[0]).\(parts[1])"
            header = try #require(Self.base64URLDecode(parts[0]))
            claims = try #require(Self.base64URLDecode(parts[1]))
            signature = try #require(Self.base64URLDecode(parts[2]))
        }

        /// Written here rather than reusing the module's encoder, so the tests do not check the code with itself.
        static func base64URLDecode(_ text: String) -> Data? {
            guard !text.contains("=") else { return nil }
            var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            standard += String(repeating: "=", count: (4 - standard.count % 4) % 4)
            return Data(base64Encoded: standard)
        }

        func object(_ data: Data) throws -> [String: String] {
            let decoded = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            return decoded.mapValues { "\($0)" }
        }

        func isValid(for publicKey: P256.Signing.PublicKey) throws -> Bool {
            let signature = try P256.Signing.ECDSASignature(rawRepresentation: signature)
            return publicKey.isValidSignature(signature, for: Data(signingInput.utf8))
        }
    }

    static func bearerToken(_ request: ExchangeRequest) throws -> Token {
        let authorization = try #require(request.header("Authorization"))
        try #require(authorization.hasPrefix("Bearer "))
        return try Token(String(authorization.dropFirst("Bearer ".count)))
    }

    @Test("the sheet's published token verifies with the public key")
    func sheetTokenVerifies() throws {
        let token = try Token(Self.sheetToken)
        let publicKey = try P256.Signing.PublicKey(pemRepresentation: Self.publicPEM)
        #expect(token.signature.count == 64)
        #expect(try token.isValid(for: publicKey))
        let other = P256.Signing.PrivateKey().publicKey
        #expect(try !token.isValid(for: other))
    }

    @Test("the PEM is the RFC 6979 key and matches the published public key")
    func keyParsing() throws {
        let key = try CoinbaseSigner.privateKey(from: SecretString(Self.sec1PEM))
        #expect(
            Encoding.hex(key.rawRepresentation) == "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"
        )
        #expect(
            key.publicKey.rawRepresentation
                == (try P256.Signing.PublicKey(pemRepresentation: Self.publicPEM)).rawRepresentation
        )
    }

    @Test("signing reproduces the sheet's header and claims byte for byte, with a valid ES256 signature")
    func signsLikeTheSheet() throws {
        let signed = try Self.signer().sign(Self.accountsRequest, credentials: Self.credentials(), at: Fixture.time)
        #expect(signed.headers.map(\.name) == ["Authorization"])
        let authorization = try #require(signed.header("Authorization"))
        let jwt = String(authorization.dropFirst("Bearer ".count))
        let sheetParts = Self.sheetToken.split(separator: ".")
        let ourParts = jwt.split(separator: ".")
        #expect(ourParts.count == 3)
        #expect(ourParts.prefix(2) == sheetParts.prefix(2))

        let token = try Self.bearerToken(signed)
        #expect(
            try token.object(token.header) == [
                "alg": "ES256", "kid": Self.keyName, "nonce": Self.sheetNonce, "typ": "JWT",
            ]
        )
        #expect(
            try token.object(token.claims) == [
                "sub": Self.keyName, "iss": "cdp", "nbf": "1700000000", "exp": "1700000120",
                "uri": "GET api.coinbase.com/api/v3/brokerage/accounts",
            ]
        )
        #expect(token.signature.count == 64)
        #expect(try token.isValid(for: P256.Signing.PublicKey(pemRepresentation: Self.publicPEM)))
    }

    @Test("stages: uri, header, claims and signing input")
    func stages() {
        #expect(
            CoinbaseSigner.uri(method: "GET", host: "api.coinbase.com", path: "/api/v3/brokerage/accounts")
                == "GET api.coinbase.com/api/v3/brokerage/accounts"
        )
        let header = CoinbaseSigner.header(keyName: "k", nonce: "n")
        #expect(header == #"{"alg":"ES256","kid":"k","nonce":"n","typ":"JWT"}"#)
        let claims = CoinbaseSigner.claims(keyName: "k", uri: "GET h/p", notBefore: 1_700_000_000)
        #expect(claims == #"{"sub":"k","iss":"cdp","nbf":1700000000,"exp":1700000120,"uri":"GET h/p"}"#)
        #expect(
            CoinbaseSigner.signingInput(header: header, claims: claims)
                == "\(Data(header.utf8).base64EncodedString()).\(Data(claims.utf8).base64EncodedString())"
                .replacingOccurrences(of: "=", with: "")
        )
        #expect(CoinbaseSigner.jsonString("a\"b\\c\n\u{1}/") == #""a\"b\\c\n\u0001/""#)
    }

    @Test("ECDSA is randomised: two tokens for the same input differ and both verify")
    func randomised() throws {
        let signer = Self.signer()
        let publicKey = try P256.Signing.PublicKey(pemRepresentation: Self.publicPEM)
        let first = try signer.sign(Self.accountsRequest, credentials: Self.credentials(), at: Fixture.time)
        let second = try signer.sign(Self.accountsRequest, credentials: Self.credentials(), at: Fixture.time)
        #expect(first.header("Authorization") != second.header("Authorization"))
        #expect(try Self.bearerToken(first).isValid(for: publicKey))
        #expect(try Self.bearerToken(second).isValid(for: publicKey))
    }

    @Test("the default nonce is 32 random bytes in lowercase hex, fresh for every request")
    func defaultNonce() throws {
        let signer = CoinbaseSigner()
        var nonces: Set<String> = []
        for _ in 0..<3 {
            let token = try Self.bearerToken(
                signer.sign(Self.accountsRequest, credentials: Self.credentials(), at: Fixture.time)
            )
            let nonce = try #require(try token.object(token.header)["nonce"])
            #expect(nonce.count == 64)
            #expect(nonce.allSatisfy { "0123456789abcdef".contains($0) })
            nonces.insert(nonce)
        }
        #expect(nonces.count == 3)
    }

    @Test("the uri claim uses the host parameter, uppercases the method and leaves out the query")
    func uriClaim() throws {
        let signed = try CoinbaseSigner(host: "api-sandbox.coinbase.com", nonce: { "n" }).sign(
            ExchangeRequest(method: "post", path: "/api/v3/brokerage/orders", query: "x=1", body: "{}"),
            credentials: Self.credentials(),
            at: Fixture.time.addingTimeInterval(0.75)
        )
        let token = try Self.bearerToken(signed)
        let claims = try token.object(token.claims)
        #expect(claims["uri"] == "POST api-sandbox.coinbase.com/api/v3/brokerage/orders")
        #expect(claims["nbf"] == "1700000000")
        #expect(signed.method == "POST")
        #expect(signed.query == "x=1")
        #expect(signed.body == "{}")
    }

    @Test(
        "PKCS#8, JSON-escaped newlines, indentation and other line widths all give the same key",
        arguments: [
            pkcs8PEM,
            sec1PEM.replacingOccurrences(of: "\n", with: "\\n"),
            sec1PEM.split(separator: "\n").map { "    \($0)" }.joined(separator: "\r\n"),
            CoinbaseSignerTests.rewrapped(sec1PEM, width: 76),
        ]
    )
    func keyForms(pem: String) throws {
        let key = try CoinbaseSigner.privateKey(from: SecretString(pem))
        #expect(
            Encoding.hex(key.rawRepresentation) == "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"
        )
    }

    /// The PEM body re-wrapped at `width` characters, which swift-crypto's PEM parser alone would refuse.
    static func rewrapped(_ pem: String, width: Int) -> String {
        let lines = pem.split(separator: "\n").map(String.init)
        var body = Substring(lines.dropFirst().dropLast().joined())
        var wrapped: [String] = []
        while !body.isEmpty {
            wrapped.append(String(body.prefix(width)))
            body = body.dropFirst(width)
        }
        return ([lines[0]] + wrapped + [lines[lines.count - 1]]).joined(separator: "\n")
    }

    static let notP256Keys: [String] = [
        "not a pem",
        "test-secret",
        "-----BEGIN EC PRIVATE KEY-----\ngarbage\n-----END EC PRIVATE KEY-----",
        publicPEM,
        // The same scalar on secp256k1: an EC key, but not P-256.
        """
        -----BEGIN EC PRIVATE KEY-----
        MHQCAQEEIMmvqdhFunUWa1whV2ex1pNOUMPbNuibEnuKYisSD2choAcGBSuBBAAK
        oUQDQgAELIwx/J+ZDGtV44ZaGEpM5Q4JSB8urrPmDsHOoTpq5kVkuV5P22lIwDhu
        GJsAain2hnabARcEJ15EWYItwzKAhQ==
        -----END EC PRIVATE KEY-----
        """,
        // P-384.
        """
        -----BEGIN EC PRIVATE KEY-----
        MIGkAgEBBDAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
        AAAAAAAAMDmgBwYFK4EEACKhZANiAAToa5leNQ5NMSqVprfV2M3NtGgvWIgAoc1s
        ly4dyypaw42QBGlRsDzLOxeaif2oixtIW58sH0Sw3UHObjw6aQu/qr7B4f9K77JG
        H92mYpvsvUPPdME9jBoWJWEiQ/AEYUg=
        -----END EC PRIVATE KEY-----
        """,
        // Ed25519 (CDP offers these keys too; this signer does not support them).
        """
        -----BEGIN PRIVATE KEY-----
        MC4CAQAwBQYDK2VwBCIEIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f
        -----END PRIVATE KEY-----
        """,
    ]

    @Test("secrets that are not a PEM EC P-256 private key throw instead of crashing", arguments: notP256Keys)
    func notP256(secret: String) {
        #expect(throws: SigningError.notAnECP256PrivateKey) {
            try Self.signer().sign(
                Self.accountsRequest,
                credentials: Self.credentials(secret: secret),
                at: Fixture.time
            )
        }
    }

    @Test(
        "Python's cryptography verifies our token independently",
        .enabled(if: Python.cryptographyAvailable, "python3 with the `cryptography` module is not available")
    )
    func pythonVerifies() async throws {
        let signed = try CoinbaseSigner().sign(Self.accountsRequest, credentials: Self.credentials(), at: Fixture.time)
        let jwt = String(try #require(signed.header("Authorization")).dropFirst("Bearer ".count))
        let script = """
            import base64, json, sys
            from cryptography.hazmat.primitives import hashes, serialization
            from cryptography.hazmat.primitives.asymmetric import ec, utils
            token, pem = sys.argv[1], sys.argv[2]
            def decode(part):
                return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
            header, claims, signature = token.split(".")
            key = serialization.load_pem_public_key(pem.encode())
            r = int.from_bytes(decode(signature)[:32], "big")
            s = int.from_bytes(decode(signature)[32:], "big")
            key.verify(utils.encode_dss_signature(r, s), (header + "." + claims).encode(), ec.ECDSA(hashes.SHA256()))
            print(json.dumps([json.loads(decode(header)), json.loads(decode(claims))], sort_keys=True))
            """
        let output = try await Python.run(script, arguments: [jwt, Self.publicPEM])
        #expect(output.contains(#""uri": "GET api.coinbase.com/api/v3/brokerage/accounts""#))
        #expect(output.contains(#""alg": "ES256""#))
    }
}
