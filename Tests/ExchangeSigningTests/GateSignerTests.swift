import ExchangeBotCore
import Foundation
import Testing

@testable import ExchangeSigning

/// Reference sheet §5.4.
@Suite("Gate signer")
struct GateSignerTests {
    static let emptyBodyHash =
        "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a"
        + "81a538327af927da3e"
    static let docTime = Date(timeIntervalSince1970: 1_541_993_715)

    @Test("docs GET example: string and signature")
    func docGet() throws {
        let signed = try GateSigner().sign(
            ExchangeRequest(
                method: "GET",
                path: "/api/v4/futures/orders",
                query: "contract=BTC_USD&status=finished&limit=50"
            ),
            credentials: Fixture.credentials(.gate, key: "key", secret: "secret"),
            at: Self.docTime
        )
        #expect(GateSigner.bodyHash("") == Self.emptyBodyHash)
        #expect(
            GateSigner.stringToSign(
                method: "GET",
                path: "/api/v4/futures/orders",
                query: "contract=BTC_USD&status=finished&limit=50",
                body: "",
                timestamp: 1_541_993_715
            )
                == "GET\n/api/v4/futures/orders\ncontract=BTC_USD&status=finished&limit=50\n"
                + "\(Self.emptyBodyHash)\n1541993715"
        )
        #expect(signed.headers.map(\.name) == ["KEY", "Timestamp", "SIGN"])
        #expect(
            signed.headers.map(\.value) == [
                "key", "1541993715",
                "55f84ea195d6fe57ce62464daaa7c3c02fa9d1dde954e4c898289c9a2407a3d6fb3faf24deff16790d726b66ac9f74526668b1"
                    + "3bd01029199cc4fcc522418b8a",
            ]
        )
    }

    @Test("docs POST example: body hash, string and signature")
    func docPost() throws {
        let body = #"{"contract":"BTC_USD","type":"limit","size":100,"price":6800,"time_in_force":"gtc"}"#
        let bodyHash =
            "ad3c169203dc3026558f01b4df307641fa1fa361f086b2306658886d5708767b1854797c68d9e62fef2f991645aa82673622ebf417"
            + "e091d0bd22bafe5d956cca"
        #expect(GateSigner.bodyHash(body) == bodyHash)
        #expect(
            GateSigner.stringToSign(
                method: "POST",
                path: "/api/v4/futures/orders",
                query: "",
                body: body,
                timestamp: 1_541_993_715
            ) == "POST\n/api/v4/futures/orders\n\n\(bodyHash)\n1541993715"
        )
        let signed = try GateSigner().sign(
            ExchangeRequest(method: "POST", path: "/api/v4/futures/orders", body: body),
            credentials: Fixture.credentials(.gate, key: "key", secret: "secret"),
            at: Self.docTime
        )
        #expect(
            signed.header("SIGN")
                == "eae42da914a590ddf727473aff25fc87d50b64783941061f47a3fdb92742541fc4c2c14017581b4199a1418d54471c269c0"
                + "3a38d788d802e2c306c37636389f0"
        )
    }

    @Test(
        "[COMPUTED] test-secret vectors at 1700000000",
        arguments: [
            (
                "/api/v4/spot/accounts", "",
                "157d9c6819a76157119f81652d8a85bf29daf2eab3ae6b25aa47902e37b354885e562b94324129c5b958f3edd8889b011b4368"
                    + "eb554a66c27d82d7e99160a7e3"
            ),
            (
                "/api/v4/spot/accounts", "currency=BTC",
                "dba754d4310283ce9f0614ff46ae304e5c35bd2937409c05bd4ad17ea38a6ff868e77dee5bfcc21477ba38a174147a164256fc"
                    + "21f48bffb33814071d55fd1f5a"
            ),
            (
                "/api/v4/account/main_keys", "",
                "6b8e58515b764b2f03513a5573c144b37f737516b2f11f30d9a4e0643b8408564086b282af8b6a30f0539900103eb8a4a72104"
                    + "6c04a4d5674ae4c6218dd0b00f"
            ),
        ]
    )
    func computed(path: String, query: String, signature: String) throws {
        let signed = try GateSigner().sign(
            ExchangeRequest(method: "GET", path: path, query: query),
            credentials: Fixture.credentials(.gate),
            at: Fixture.time
        )
        #expect(signed.header("Timestamp") == "1700000000")
        #expect(signed.header("SIGN") == signature)
    }

    @Test("fractional seconds are rounded down")
    func wholeSeconds() throws {
        let signed = try GateSigner().sign(
            ExchangeRequest(method: "GET", path: "/api/v4/spot/accounts"),
            credentials: Fixture.credentials(.gate),
            at: Fixture.time.addingTimeInterval(0.999)
        )
        #expect(signed.header("Timestamp") == "1700000000")
    }
}
