import ExchangeBotCore
import Foundation
import Testing

@testable import ExchangeSigning

/// Reference sheet §6.4. The docs' Example 1 is deliberately absent: its printed signature is not the HMAC of its
/// own string.
@Suite("MEXC signer")
struct MEXCSignerTests {
    static let docKey = "mx0aBYs33eIilxBWC5"
    static let docSecret = "45d0b3c26f2644f19bfb98b07741b2f5"

    @Test("docs example 2: query string")
    func docExample2() {
        let text = MEXCSigner.stringToSign(
            query: "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=11&recvWindow=5000&timestamp=1644489390087",
            body: ""
        )
        #expect(
            MEXCSigner.signature(for: text, secret: SecretString(Self.docSecret))
                == "fd3e4e8543c5188531eb7279d68ae7d26a573d0fc5ab0d18eb692451654d837a"
        )
    }

    @Test("docs example 3: query and body concatenated without '&'")
    func docExample3() {
        let text = MEXCSigner.stringToSign(
            query: "symbol=BTCUSDT&side=BUY&type=LIMIT",
            body: "quantity=1&price=11&recvWindow=5000&timestamp=1644489390087"
        )
        #expect(text == "symbol=BTCUSDT&side=BUY&type=LIMITquantity=1&price=11&recvWindow=5000&timestamp=1644489390087")
        #expect(
            MEXCSigner.signature(for: text, secret: SecretString(Self.docSecret))
                == "d1a676610ceb39174c8039b3f548357994b2a34139a8addd33baadba65684592"
        )
    }

    @Test("[COMPUTED] CCXT fetchBalance query, full request")
    func computedFetchBalance() throws {
        let signed = try MEXCSigner().sign(
            ExchangeRequest(method: "GET", path: "/api/v3/account"),
            credentials: Fixture.credentials(.mexc, key: Self.docKey, secret: Self.docSecret),
            at: Fixture.time
        )
        #expect(
            signed.query
                == "timestamp=1700000000000&recvWindow=5000"
                + "&signature=b724ff160ae9a305fd57cd6c90ff8b3d0301b1b7d5d6e4255fc799b9ded36862"
        )
        #expect(signed.headers.map(\.name) == ["X-MEXC-APIKEY"])
        #expect(signed.header("X-MEXC-APIKEY") == Self.docKey)
    }

    @Test("signatures are lowercase hex, the only case MEXC accepts")
    func lowercase() throws {
        let signed = try MEXCSigner().sign(
            ExchangeRequest(method: "GET", path: "/api/v3/account"),
            credentials: Fixture.credentials(.mexc),
            at: Fixture.time
        )
        let signature = try #require(Fixture.signatureParameter(in: signed.query))
        #expect(signature.count == 64)
        #expect(signature.allSatisfy { "0123456789abcdef".contains($0) })
    }

    @Test("with a body, the parameters and signature go into the body")
    func postBody() throws {
        let request = ExchangeRequest(
            method: "POST",
            path: "/api/v3/order",
            query: "symbol=BTCUSDT&side=BUY&type=LIMIT",
            body: "quantity=1&price=11"
        )
        let signed = try MEXCSigner().sign(request, credentials: Fixture.credentials(.mexc), at: Fixture.time)
        let unsignedBody = "quantity=1&price=11&timestamp=1700000000000&recvWindow=5000"
        let expected = MEXCSigner.signature(for: request.query + unsignedBody, secret: SecretString("test-secret"))
        #expect(signed.query == request.query)
        #expect(signed.body == "\(unsignedBody)&signature=\(expected)")
    }
}
