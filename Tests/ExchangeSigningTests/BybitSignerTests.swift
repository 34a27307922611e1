import ExchangeBotCore
import Foundation
import Testing

@testable import ExchangeSigning

/// Reference sheet §3.4. The docs' own signatures use an unpublished secret, so they only check string assembly.
@Suite("Bybit signer")
struct BybitSignerTests {
    @Test("docs string-to-sign examples, GET and POST")
    func docStrings() {
        #expect(
            BybitSigner.stringToSign(
                timestamp: 1_658_384_314_791,
                apiKey: "XXXXXXXXXX",
                receiveWindow: 5000,
                payload: "category=option&symbol=BTC-29JUL22-25000-C"
            ) == "1658384314791XXXXXXXXXX5000category=option&symbol=BTC-29JUL22-25000-C"
        )
        #expect(
            BybitSigner.stringToSign(
                timestamp: 1_658_385_579_423,
                apiKey: "XXXXXXXXXX",
                receiveWindow: 5000,
                payload: #"{"category": "option"}"#
            ) == #"1658385579423XXXXXXXXXX5000{"category": "option"}"#
        )
    }

    @Test("payload: the query for GET, the body otherwise")
    func payload() {
        #expect(
            BybitSigner.payload(of: ExchangeRequest(method: "GET", path: "/v5/x", query: "a=1", body: "")) == "a=1"
        )
        #expect(
            BybitSigner.payload(of: ExchangeRequest(method: "POST", path: "/v5/x", query: "a=1", body: "{}")) == "{}"
        )
    }

    @Test("[COMPUTED] GET wallet-balance, full request")
    func computedWalletBalance() throws {
        let signed = try BybitSigner().sign(
            ExchangeRequest(method: "GET", path: "/v5/account/wallet-balance", query: "accountType=UNIFIED"),
            credentials: Fixture.credentials(.bybit),
            at: Fixture.time
        )
        #expect(
            BybitSigner.stringToSign(
                timestamp: 1_700_000_000_000,
                apiKey: "test-api-key",
                receiveWindow: 5000,
                payload: "accountType=UNIFIED"
            ) == "1700000000000test-api-key5000accountType=UNIFIED"
        )
        #expect(
            signed.headers.map(\.name) == ["X-BAPI-API-KEY", "X-BAPI-TIMESTAMP", "X-BAPI-SIGN", "X-BAPI-RECV-WINDOW"]
        )
        #expect(
            signed.headers.map(\.value) == [
                "test-api-key", "1700000000000", "8be4249ab78e8b80892a552a4a5581635fdbcc0ada86289bbcd5ad9245477fd9",
                "5000",
            ]
        )
        #expect(signed.query == "accountType=UNIFIED")
    }

    @Test("[COMPUTED] GET query-api with an empty query")
    func computedQueryAPI() throws {
        let signed = try BybitSigner().sign(
            ExchangeRequest(method: "GET", path: "/v5/user/query-api"),
            credentials: Fixture.credentials(.bybit),
            at: Fixture.time
        )
        #expect(
            signed.header("X-BAPI-SIGN") == "2423cdb13b6b937e9a3874a49fec2472e936763f7caac00642dd1220210e76e1"
        )
    }

    @Test("[COMPUTED] POST order/create signs the JSON body")
    func computedPost() throws {
        let body =
            #"{"category":"spot","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.001","price":"10000"}"#
        let signed = try BybitSigner().sign(
            ExchangeRequest(method: "POST", path: "/v5/order/create", body: body),
            credentials: Fixture.credentials(.bybit),
            at: Fixture.time
        )
        #expect(
            signed.header("X-BAPI-SIGN") == "6a24b070b889347a07c2fa0823b4b7fb6a1efe85b9ddcab786a3d0ae50b346f3"
        )
        #expect(signed.body == body)
    }

    @Test("a custom receive window is both signed and sent")
    func customWindow() throws {
        let signed = try BybitSigner(receiveWindow: 20_000).sign(
            ExchangeRequest(method: "GET", path: "/v5/user/query-api"),
            credentials: Fixture.credentials(.bybit),
            at: Fixture.time
        )
        #expect(signed.header("X-BAPI-RECV-WINDOW") == "20000")
        #expect(
            signed.header("X-BAPI-SIGN")
                == BybitSigner.signature(
                    for: "1700000000000test-api-key20000",
                    secret: SecretString("test-secret")
                )
        )
    }
}
