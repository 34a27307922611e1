import ExchangeBotCore
import Foundation
import Testing

@testable import ExchangeSigning

/// Reference sheet §2.4, plus the docs' mixed query/body example.
@Suite("Binance signer")
struct BinanceSignerTests {
    static let docKey = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
    static let docSecret = SecretString("NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j")

    @Test("docs example: query-string payload")
    func docQueryExample() {
        let payload =
            "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=149982731"
            + "9559"
        #expect(
            BinanceSigner.signature(for: payload, secret: Self.docSecret)
                == "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
        )
    }

    @Test("docs example: percent-encoded non-ASCII symbol")
    func docNonASCIIExample() {
        let payload =
            "symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT&timeInForce=GTC"
            + "&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"
        #expect(
            BinanceSigner.signature(for: payload, secret: Self.docSecret)
                == "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3"
        )
    }

    @Test("docs example 3: query and body concatenated without separator")
    func docMixedExample() {
        let text = BinanceSigner.stringToSign(
            query: "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC",
            body: "quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"
        )
        #expect(
            text
                == "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTCquantity=1&price=0.1&recvWindow=5000&timestamp=149"
                + "9827319559"
        )
        #expect(
            BinanceSigner.signature(for: text, secret: Self.docSecret)
                == "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77"
        )
    }

    @Test("[COMPUTED] CCXT fetchBalance query with the docs secret, recvWindow 10000")
    func computedDocSecret() throws {
        let signed = try BinanceSigner(receiveWindow: 10_000).sign(
            ExchangeRequest(method: "GET", path: "/api/v3/account"),
            credentials: Fixture.credentials(.binance, key: Self.docKey, secret: Self.docSecret.exposedValue),
            at: Fixture.time
        )
        #expect(
            signed.query
                == "timestamp=1700000000000&recvWindow=10000"
                + "&signature=b4069c8a49b1ce04606701ff7d300a7db2344d4f355056e70bb4e48d247b0a28"
        )
        #expect(signed.body.isEmpty)
        #expect(signed.headers.map(\.name) == ["X-MBX-APIKEY"])
        #expect(signed.header("X-MBX-APIKEY") == Self.docKey)
    }

    @Test("[COMPUTED] the same signature on another endpoint: the path is not signed")
    func pathIsNotSigned() throws {
        let credentials = Fixture.credentials(.binance, key: Self.docKey, secret: Self.docSecret.exposedValue)
        let signer = BinanceSigner(receiveWindow: 10_000)
        let account = try signer.sign(
            ExchangeRequest(method: "GET", path: "/api/v3/account"),
            credentials: credentials,
            at: Fixture.time
        )
        let restrictions = try signer.sign(
            ExchangeRequest(method: "GET", path: "/sapi/v1/account/apiRestrictions"),
            credentials: credentials,
            at: Fixture.time
        )
        #expect(account.query == restrictions.query)
    }

    @Test("[COMPUTED] test-secret vectors")
    func computedTestSecret() throws {
        let signed = try BinanceSigner(receiveWindow: 10_000).sign(
            ExchangeRequest(method: "GET", path: "/api/v3/account"),
            credentials: Fixture.credentials(.binance),
            at: Fixture.time
        )
        #expect(
            Fixture.signatureParameter(in: signed.query)
                == "1f3ddb22a78a53341f6a01047d00fe659ba8a8281a07d7dc907a4b24249f34bd"
        )
        #expect(
            BinanceSigner.signature(
                for: "recvWindow=5000&timestamp=1700000000000",
                secret: SecretString("test-secret")
            ) == "e80444d3300edcb80b05d266439eb51c0f9551b00a09836c26b05dea9af0eba3"
        )
    }

    @Test("default receive window is the documented 5000 ms, appended after the caller's parameters")
    func defaultWindowAndOrder() throws {
        let signed = try BinanceSigner().sign(
            ExchangeRequest(method: "GET", path: "/api/v3/account", query: "omitZeroBalances=true"),
            credentials: Fixture.credentials(.binance),
            at: Fixture.time
        )
        let unsigned = "omitZeroBalances=true&timestamp=1700000000000&recvWindow=5000"
        let expected = BinanceSigner.signature(for: unsigned, secret: SecretString("test-secret"))
        #expect(signed.query == "\(unsigned)&signature=\(expected)")
    }

    @Test("with a body, the parameters and signature go last in the body")
    func postBody() throws {
        let request = ExchangeRequest(
            method: "POST",
            path: "/api/v3/order",
            query: "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC",
            body: "quantity=1&price=0.1"
        )
        let signed = try BinanceSigner().sign(request, credentials: Fixture.credentials(.binance), at: Fixture.time)
        #expect(signed.query == request.query)
        let unsignedBody = "quantity=1&price=0.1&timestamp=1700000000000&recvWindow=5000"
        let expected = BinanceSigner.signature(
            for: request.query + unsignedBody,
            secret: SecretString("test-secret")
        )
        #expect(signed.body == "\(unsignedBody)&signature=\(expected)")
    }

    @Test("receive windows outside 1...60000 ms are refused", arguments: [0, -1, 60_001])
    func receiveWindowRange(window: Int) {
        #expect(throws: SigningError.receiveWindowOutOfRange(window)) {
            try BinanceSigner(receiveWindow: window).sign(
                ExchangeRequest(method: "GET", path: "/api/v3/account"),
                credentials: Fixture.credentials(.binance),
                at: Fixture.time
            )
        }
    }
}
