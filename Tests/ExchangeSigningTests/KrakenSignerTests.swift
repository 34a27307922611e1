import Crypto
import ExchangeBotCore
import Foundation
import Testing

@testable import ExchangeSigning

/// Reference sheet §8.4.
@Suite("Kraken signer")
struct KrakenSignerTests {
    static let docSecret =
        "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="

    @Test("docs example: AddOrder, full request")
    func docExample() throws {
        let body = "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25"
        let signed = try KrakenSigner().sign(
            ExchangeRequest(method: "POST", path: "/0/private/AddOrder", body: body),
            credentials: Fixture.credentials(.kraken, key: "public-key", secret: Self.docSecret),
            at: Fixture.time
        )
        #expect(try KrakenSigner.nonce(inBody: body) == "1616492376594")
        #expect(signed.body == body)
        #expect(signed.headers.map(\.name) == ["API-Key", "API-Sign"])
        #expect(
            signed.headers.map(\.value) == [
                "public-key",
                "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==",
            ]
        )
    }

    @Test("the signed message is the path followed by the raw SHA-256 of nonce + body")
    func message() {
        let message = KrakenSigner.message(path: "/0/private/BalanceEx", nonce: "1", body: "nonce=1")
        let digest = Array(SHA256.hash(data: Data("1nonce=1".utf8)))
        #expect(message == Array("/0/private/BalanceEx".utf8) + digest)
        #expect(message.count == "/0/private/BalanceEx".utf8.count + 32)
    }

    @Test(
        "[COMPUTED] nonce 1700000000000",
        arguments: [
            (
                "/0/private/BalanceEx",
                "AWsyWIl2ouPCXvZB4pQEp6tqOQjVJLNq7mY+QDjnPEHdMw3Dkdw89JXM9VXYqaCbYXgOTa5+feeHR8a6GERFug=="
            ),
            (
                "/0/private/GetApiKeyInfo",
                "6xtZxmtYMLwk37n8BqqQKpl6bZXMyF9KWYK2g9ovnC3gYOevcpMPQKkCIxNzqPU+i4GYsLhylJZYpEE64ahXrw=="
            ),
        ]
    )
    func computed(path: String, signature: String) throws {
        let signed = try KrakenSigner().sign(
            ExchangeRequest(method: "POST", path: path, body: "nonce=1700000000000"),
            credentials: Fixture.credentials(.kraken, secret: Self.docSecret),
            at: Fixture.time
        )
        #expect(signed.header("API-Sign") == signature)
    }

    @Test(
        "a body that does not start with nonce=<digits> is refused",
        arguments: ["", "pair=XBTUSD&nonce=1", "nonce=", "nonce=&pair=XBTUSD", "nonce=12a", "Nonce=1", "nonce=１２"]
    )
    func missingNonce(body: String) {
        #expect(throws: SigningError.missingNonce) {
            try KrakenSigner().sign(
                ExchangeRequest(method: "POST", path: "/0/private/BalanceEx", body: body),
                credentials: Fixture.credentials(.kraken, secret: Self.docSecret),
                at: Fixture.time
            )
        }
    }

    @Test("a secret that is not base64 throws instead of crashing", arguments: ["test-secret", "%%%", "YWJj!"])
    func notBase64(secret: String) {
        #expect(throws: SigningError.secretNotBase64(.kraken)) {
            try KrakenSigner().sign(
                ExchangeRequest(method: "POST", path: "/0/private/BalanceEx", body: "nonce=1"),
                credentials: Fixture.credentials(.kraken, secret: secret),
                at: Fixture.time
            )
        }
    }
}
