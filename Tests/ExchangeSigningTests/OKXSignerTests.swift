import ExchangeBotCore
import Foundation
import Testing

@testable import ExchangeSigning

/// Reference sheet §4.4: the docs publish inputs but no output, so every value here is [COMPUTED].
@Suite("OKX signer")
struct OKXSignerTests {
    static let docSecret = "22582BD0CFF14C41EDBF1AB98506286D"
    /// `2020-12-08T09:08:57.715Z`, the docs' example timestamp.
    static let docTime = Fixture.time(milliseconds: 1_607_418_537_715)
    static let leverageBody = #"{"instId":"BTC-USDT","lever":"5","mgnMode":"isolated"}"#

    static func credentials(secret: String = "test-secret") -> Credentials {
        Fixture.credentials(.okx, secret: secret, passphrase: "test-passphrase")
    }

    @Test("[COMPUTED from the doc inputs] GET balance?ccy=BTC, full request")
    func docInputsGet() throws {
        let signed = try OKXSigner().sign(
            ExchangeRequest(method: "GET", path: "/api/v5/account/balance", query: "ccy=BTC"),
            credentials: Self.credentials(secret: Self.docSecret),
            at: Self.docTime
        )
        #expect(
            OKXSigner.stringToSign(
                timestamp: "2020-12-08T09:08:57.715Z",
                method: "GET",
                requestPath: "/api/v5/account/balance?ccy=BTC",
                body: ""
            ) == "2020-12-08T09:08:57.715ZGET/api/v5/account/balance?ccy=BTC"
        )
        #expect(
            signed.headers.map(\.name) == [
                "OK-ACCESS-KEY", "OK-ACCESS-SIGN", "OK-ACCESS-TIMESTAMP", "OK-ACCESS-PASSPHRASE",
            ]
        )
        #expect(
            signed.headers.map(\.value) == [
                "test-api-key", "HiZhvSfMtWJA3uUIVXV3a/bSXNPCWvYFXoGCVS8V4zY=", "2020-12-08T09:08:57.715Z",
                "test-passphrase",
            ]
        )
    }

    @Test("[COMPUTED from the doc inputs] POST set-leverage")
    func docInputsPost() throws {
        let signed = try OKXSigner().sign(
            ExchangeRequest(method: "POST", path: "/api/v5/account/set-leverage", body: Self.leverageBody),
            credentials: Self.credentials(secret: Self.docSecret),
            at: Self.docTime
        )
        #expect(signed.header("OK-ACCESS-SIGN") == "eCnnCgWLjlQ9XnpUkrcny3qNq3WW/81KNrDr/XR6Xv8=")
    }

    /// One signed request and its expected `OK-ACCESS-SIGN`.
    struct Vector: Sendable, CustomTestStringConvertible {
        let method: String
        let path: String
        var query = ""
        var body = ""
        let signature: String

        var testDescription: String { "\(method) \(path)\(query.isEmpty ? "" : "?\(query)")" }
    }

    static let testSecretVectors = [
        Vector(
            method: "GET",
            path: "/api/v5/account/balance",
            signature: "nL0Rh7FxukzVHJnSqNEksLaq26Lwl5UDLeMjLtg2/pU="
        ),
        Vector(
            method: "GET",
            path: "/api/v5/account/balance",
            query: "ccy=BTC",
            signature: "iXlmoZJG9WaV3h99torf83NxF/HtRTRrxsr2V88/9Kg="
        ),
        Vector(
            method: "GET",
            path: "/api/v5/account/config",
            signature: "XQO1E6eAFySoZcNKBldhRdVweGg6pDEBRBe0C6Bh7zI="
        ),
        Vector(
            method: "POST",
            path: "/api/v5/account/set-leverage",
            body: leverageBody,
            signature: "0/jLdzwgRnar4VGCwDRHKmPZEhcznewxWjL5ESUSLyI="
        ),
    ]

    @Test("[COMPUTED] test-secret vectors at 2023-11-14T22:13:20.000Z", arguments: testSecretVectors)
    func computed(vector: Vector) throws {
        let signed = try OKXSigner().sign(
            ExchangeRequest(method: vector.method, path: vector.path, query: vector.query, body: vector.body),
            credentials: Self.credentials(),
            at: Fixture.time
        )
        #expect(signed.header("OK-ACCESS-TIMESTAMP") == "2023-11-14T22:13:20.000Z")
        #expect(signed.header("OK-ACCESS-SIGN") == vector.signature)
    }

    @Test("the method is signed and sent uppercase")
    func uppercaseMethod() throws {
        let lower = try OKXSigner().sign(
            ExchangeRequest(method: "get", path: "/api/v5/account/config"),
            credentials: Self.credentials(),
            at: Fixture.time
        )
        #expect(lower.method == "GET")
        #expect(lower.header("OK-ACCESS-SIGN") == "XQO1E6eAFySoZcNKBldhRdVweGg6pDEBRBe0C6Bh7zI=")
    }

    @Test("demo-trading keys get x-simulated-trading: 1")
    func simulatedTrading() throws {
        let live = try OKXSigner().sign(
            ExchangeRequest(method: "GET", path: "/api/v5/account/config"),
            credentials: Self.credentials(),
            at: Fixture.time
        )
        let demo = try OKXSigner(simulatedTrading: true).sign(
            ExchangeRequest(method: "GET", path: "/api/v5/account/config"),
            credentials: Self.credentials(),
            at: Fixture.time
        )
        #expect(live.header("x-simulated-trading") == nil)
        #expect(demo.header("x-simulated-trading") == "1")
        #expect(demo.header("OK-ACCESS-SIGN") == live.header("OK-ACCESS-SIGN"))
    }

    @Test("a missing or empty passphrase is refused")
    func missingPassphrase() {
        for passphrase in [nil, ""] as [String?] {
            #expect(throws: SigningError.missingPassphrase(.okx)) {
                try OKXSigner().sign(
                    ExchangeRequest(method: "GET", path: "/api/v5/account/config"),
                    credentials: Fixture.credentials(.okx, passphrase: passphrase),
                    at: Fixture.time
                )
            }
        }
    }
}
