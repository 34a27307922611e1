import ExchangeBotCore
import Foundation
import Testing

@testable import ExchangeSigning

/// The time a request is signed for is our clock plus an offset learnt from an exchange's answer: a time that is
/// not finite or lies beyond what an `Int64` of milliseconds holds must be a typed error, never a trap.
@Suite("Signing times out of range")
struct SigningTimeRangeTests {
    /// Every signer that stamps the request with the time (Kraken's nonce comes from the body instead), with
    /// credentials it accepts.
    static let signers: [(any RequestSigner, Credentials)] = [
        (BinanceSigner(), Fixture.credentials(.binance)),
        (BybitSigner(), Fixture.credentials(.bybit)),
        (OKXSigner(), Fixture.credentials(.okx, passphrase: "p")),
        (GateSigner(), Fixture.credentials(.gate)),
        (MEXCSigner(), Fixture.credentials(.mexc)),
        (KuCoinSigner(), Fixture.credentials(.kucoin, passphrase: "p")),
        (CoinbaseExchangeSigner(), Fixture.credentials(.coinbaseexchange, secret: "c2VjcmV0", passphrase: "p")),
        (CoinbaseSigner(nonce: { "00" }), Fixture.credentials(.coinbase, key: "k", secret: Self.pem)),
    ]

    /// RFC 6979 A.2.5's P-256 test key.
    static let pem = """
        -----BEGIN EC PRIVATE KEY-----
        MHcCAQEEIMmvqdhFunUWa1whV2ex1pNOUMPbNuibEnuKYisSD2choAoGCCqGSM49
        AwEHoUQDQgAEYP7UuiVanTHJYet0xjVtaMBJuJI7Yfps5mliLmDyn7Z5A/4QCLi8
        maQa6elWKLxk8vGyDC1+n1F3o8KU1EYimQ==
        -----END EC PRIVATE KEY-----
        """

    /// Seconds since 1970 that no exchange timestamp can hold: they trapped `Int64(_:)` before.
    static let unusable: [TimeInterval] = [1e300, -1e300, .nan, .infinity, -.infinity, 1e17, -1e17]

    @Test("every signer refuses a time that is not finite or out of range", arguments: unusable)
    func refused(seconds: TimeInterval) {
        let request = ExchangeRequest(method: "GET", path: "/api/v4/x", query: "a=1")
        for (signer, credentials) in Self.signers {
            #expect(throws: SigningError.timeOutOfRange, "\(signer.exchange)") {
                try signer.sign(request, credentials: credentials, at: Date(timeIntervalSince1970: seconds))
            }
        }
    }

    @Test("the first and last millisecond of the range still sign")
    func bounds() throws {
        let first = Fixture.time(milliseconds: SigningTime.range.lowerBound)
        let last = Fixture.time(milliseconds: SigningTime.range.upperBound)
        #expect(try SigningTime.iso8601Milliseconds(first) == "0001-01-01T00:00:00.000Z")
        #expect(try SigningTime.iso8601Milliseconds(last) == "9999-12-31T23:59:59.999Z")
        #expect(try SigningTime.seconds(last) == 253_402_300_799)
        #expect(throws: SigningError.timeOutOfRange) { try SigningTime.milliseconds(last.addingTimeInterval(0.001)) }
        let request = ExchangeRequest(method: "GET", path: "/api/v4/x")
        for (signer, credentials) in Self.signers {
            _ = try signer.sign(request, credentials: credentials, at: last)
        }
    }
}
