import ExchangeBotCore
import Foundation
import Testing

@testable import ExchangeSigning

/// Reference sheet §7.4.
@Suite("KuCoin signer")
struct KuCoinSignerTests {
    static let docSecret = "f03a5284-5c39-4aaa-9b20-dea10bdcf8e3"
    static let docPassphrase = "Ab12345678)(*&^%$#@"

    @Test("docs example: string-to-sign and KC-API-SIGN, full request")
    func docExample() throws {
        let signed = try KuCoinSigner().sign(
            ExchangeRequest(method: "POST", path: "/api/v1/deposit-addresses", body: #"{"currency":"BTC"}"#),
            credentials: Fixture.credentials(
                .kucoin,
                key: "5c2db93503aa674c74a31734",
                secret: Self.docSecret,
                passphrase: Self.docPassphrase
            ),
            at: Fixture.time(milliseconds: 1_547_015_186_532)
        )
        #expect(
            KuCoinSigner.stringToSign(
                timestamp: 1_547_015_186_532,
                method: "POST",
                endpoint: "/api/v1/deposit-addresses",
                body: #"{"currency":"BTC"}"#
            ) == #"1547015186532POST/api/v1/deposit-addresses{"currency":"BTC"}"#
        )
        #expect(
            signed.headers.map(\.name) == [
                "KC-API-KEY", "KC-API-SIGN", "KC-API-TIMESTAMP", "KC-API-PASSPHRASE", "KC-API-KEY-VERSION",
            ]
        )
        #expect(
            signed.headers.map(\.value) == [
                "5c2db93503aa674c74a31734", "7QP/oM0ykidMdrfNEUmng8eZjg/ZvPafjIqmxiVfYu4=", "1547015186532",
                "F2p2bNS1bBehHvC/Z4YkB7l1Wd0Pq2iV/oLHM/DyE+I=", "2",
            ]
        )
    }

    @Test("the docs' passphrase header is plain base64, not the version-2 HMAC we send")
    func docPassphraseInconsistency() {
        let header = KuCoinSigner.passphraseHeader(
            passphrase: SecretString(Self.docPassphrase),
            secret: SecretString(Self.docSecret)
        )
        #expect(header != "QWIxMjM0NTY3OCkoKiZeJSQjQA==")
        #expect(Data(Self.docPassphrase.utf8).base64EncodedString() == "QWIxMjM0NTY3OCkoKiZeJSQjQA==")
    }

    @Test("[COMPUTED] test-secret vectors")
    func computed() throws {
        let credentials = Fixture.credentials(.kucoin, passphrase: "test-passphrase")
        let accounts = try KuCoinSigner().sign(
            ExchangeRequest(method: "GET", path: "/api/v1/accounts", query: "type=trade"),
            credentials: credentials,
            at: Fixture.time
        )
        let apiKey = try KuCoinSigner().sign(
            ExchangeRequest(method: "GET", path: "/api/v1/user/api-key"),
            credentials: credentials,
            at: Fixture.time
        )
        #expect(accounts.header("KC-API-PASSPHRASE") == "UbgWiL7WdjQOVBl1OLuMgUbTl9VlKFsjFbLedtCDPrY=")
        #expect(accounts.header("KC-API-TIMESTAMP") == "1700000000000")
        #expect(accounts.header("KC-API-SIGN") == "YnvHeuAjq1hbyB36wzxrdRShgNT2V4cE42wl8GrTT6Q=")
        #expect(apiKey.header("KC-API-SIGN") == "iQCy1mrZdsqYmA9XSS+V8GQ5k15PevBR/GrxGWyRZuo=")
    }

    @Test("a missing passphrase is refused")
    func missingPassphrase() {
        #expect(throws: SigningError.missingPassphrase(.kucoin)) {
            try KuCoinSigner().sign(
                ExchangeRequest(method: "GET", path: "/api/v1/user/api-key"),
                credentials: Fixture.credentials(.kucoin),
                at: Fixture.time
            )
        }
    }
}
