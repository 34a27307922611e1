import ExchangeBotCore
import Foundation
import Testing

@testable import ExchangeSigning

@Suite("Shared signing helpers")
struct SigningPrimitivesTests {
    @Test("signer(for:) gives each exchange its own signer")
    func factory() {
        for exchange in ExchangeID.allCases {
            #expect(signer(for: exchange).exchange == exchange)
        }
        #expect(signer(for: .binance) is BinanceSigner)
        #expect(signer(for: .coinbase) is CoinbaseSigner)
        #expect(signer(for: .coinbaseexchange) is CoinbaseExchangeSigner)
        #expect((signer(for: .coinbase) as? CoinbaseSigner)?.host == "api.coinbase.com")
        #expect((signer(for: .bybit) as? BybitSigner)?.receiveWindow == 5000)
        #expect((signer(for: .mexc) as? MEXCSigner)?.receiveWindow == 5000)
    }

    @Test("hex, base64 and base64url")
    func encodings() {
        #expect(Encoding.hex([0x00, 0x0f, 0xa5, 0xff]) == "000fa5ff")
        #expect(Encoding.hex([UInt8]()) == "")
        #expect(Encoding.base64([0xfb, 0xff, 0xfe]) == "+//+")
        #expect(Encoding.base64URL([0xfb, 0xff, 0xfe]) == "-__-")
        #expect(Encoding.base64URL(Array("a".utf8)) == "YQ")
        #expect(Encoding.base64URL(Array("ab".utf8)) == "YWI")
    }

    @Test("milliseconds round-trip times given in milliseconds; seconds round down")
    func units() throws {
        for milliseconds: Int64 in [
            0, 1, 999, 1_499_827_319_559, 1_607_418_537_715, 1_700_000_000_001, 4_102_444_800_999,
        ] {
            let time = Fixture.time(milliseconds: milliseconds)
            #expect(try SigningTime.milliseconds(time) == milliseconds)
            #expect(try SigningTime.seconds(time) == milliseconds / 1000)
        }
        #expect(try SigningTime.seconds(Date(timeIntervalSince1970: -0.5)) == -1)
    }

    @Test("ISO 8601 with milliseconds matches Foundation's formatter")
    func iso8601() throws {
        #expect(try SigningTime.iso8601Milliseconds(Fixture.time) == "2023-11-14T22:13:20.000Z")
        #expect(try SigningTime.iso8601Milliseconds(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(
            try SigningTime.iso8601Milliseconds(Fixture.time(milliseconds: 951_782_400_123))
                == "2000-02-29T00:00:00.123Z"
        )
        #expect(
            try SigningTime.iso8601Milliseconds(Fixture.time(milliseconds: 4_107_542_399_999))
                == "2100-02-28T23:59:59.999Z"
        )
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        var generator = SplitMix64(seed: 8601)
        for _ in 0..<500 {
            let milliseconds = Int64.random(in: 0...4_102_444_800_000, using: &generator)
            let time = Fixture.time(milliseconds: milliseconds)
            let ours = try SigningTime.iso8601Milliseconds(time)
            let parsed = try #require(formatter.date(from: ours), "\(ours)")
            #expect(try SigningTime.milliseconds(parsed) == milliseconds, "\(ours)")
        }
    }

    @Test("base64 secrets: valid ones decode, invalid and empty ones throw")
    func base64Secrets() throws {
        _ = try SigningKey.base64(SecretString("dGVzdA=="), exchange: .kraken)
        for text in ["dGVzdA", "dGV zdA==", "***", ""] {
            #expect(throws: SigningError.secretNotBase64(.kraken)) {
                try SigningKey.base64(SecretString(text), exchange: .kraken)
            }
        }
    }
}
