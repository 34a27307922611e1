import ExchangeBotCore
import Foundation
import Testing

@testable import ExchangeSigning

/// Reference sheet §9.2. Coinbase publishes no known answer; this one is [COMPUTED].
@Suite("Coinbase Exchange signer")
struct CoinbaseExchangeSignerTests {
    /// base64 of `test-secret-coinbase-exchange-32`.
    static let secret = "dGVzdC1zZWNyZXQtY29pbmJhc2UtZXhjaGFuZ2UtMzI="

    @Test("[COMPUTED] GET /accounts, full request")
    func computed() throws {
        let signed = try CoinbaseExchangeSigner().sign(
            ExchangeRequest(method: "GET", path: "/accounts"),
            credentials: Fixture.credentials(.coinbaseexchange, secret: Self.secret, passphrase: "test-passphrase"),
            at: Fixture.time
        )
        #expect(
            CoinbaseExchangeSigner.stringToSign(
                timestamp: 1_700_000_000,
                method: "GET",
                requestPath: "/accounts",
                body: ""
            )
                == "1700000000GET/accounts"
        )
        #expect(
            signed.headers.map(\.name) == [
                "CB-ACCESS-KEY", "CB-ACCESS-SIGN", "CB-ACCESS-TIMESTAMP", "CB-ACCESS-PASSPHRASE",
            ]
        )
        #expect(
            signed.headers.map(\.value) == [
                "test-api-key", "jcecEMgMYmcq98AfQrf/l1IGfalmsLjhDMRhqBfeT48=", "1700000000", "test-passphrase",
            ]
        )
    }

    @Test("the query is part of the signed request path")
    func queryIsSigned() throws {
        let signed = try CoinbaseExchangeSigner().sign(
            ExchangeRequest(method: "GET", path: "/orders", query: "status=open"),
            credentials: Fixture.credentials(.coinbaseexchange, secret: Self.secret, passphrase: "p"),
            at: Fixture.time
        )
        #expect(
            signed.header("CB-ACCESS-SIGN")
                == (try CoinbaseExchangeSigner.signature(
                    for: "1700000000GET/orders?status=open",
                    secret: SecretString(Self.secret)
                ))
        )
    }

    @Test("a secret that is not base64 throws instead of crashing")
    func notBase64() {
        #expect(throws: SigningError.secretNotBase64(.coinbaseexchange)) {
            try CoinbaseExchangeSigner().sign(
                ExchangeRequest(method: "GET", path: "/accounts"),
                credentials: Fixture.credentials(.coinbaseexchange, secret: "not base64!", passphrase: "p"),
                at: Fixture.time
            )
        }
    }

    @Test("a missing passphrase is refused")
    func missingPassphrase() {
        #expect(throws: SigningError.missingPassphrase(.coinbaseexchange)) {
            try CoinbaseExchangeSigner().sign(
                ExchangeRequest(method: "GET", path: "/accounts"),
                credentials: Fixture.credentials(.coinbaseexchange, secret: Self.secret),
                at: Fixture.time
            )
        }
    }
}
