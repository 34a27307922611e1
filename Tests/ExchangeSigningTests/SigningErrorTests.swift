import ExchangeBotCore
import Foundation
import Testing

@testable import ExchangeSigning

/// Errors must be safe to log: they never contain the secret or the passphrase.
@Suite("Signing errors")
struct SigningErrorTests {
    static let secretText = "S3CR3T-do-not-log-0123456789"
    static let passphraseText = "P4SS-do-not-log"

    /// One signing attempt that must fail.
    struct Failure {
        let exchange: ExchangeID
        var request = ExchangeRequest(method: "GET", path: "/x")
        let credentials: Credentials
    }

    /// Every failure kind for every exchange, each built around the marker secret and passphrase.
    static var failures: [Failure] {
        var cases: [Failure] = []
        for exchange in ExchangeID.allCases {
            let other: ExchangeID = exchange == .binance ? .bybit : .binance
            cases.append(
                Failure(
                    exchange: exchange,
                    credentials: Fixture.credentials(other, secret: secretText, passphrase: passphraseText)
                )
            )
            cases.append(
                Failure(
                    exchange: exchange,
                    credentials: Fixture.credentials(exchange, key: "", secret: secretText, passphrase: passphraseText)
                )
            )
            if exchange.requiresPassphrase {
                cases.append(
                    Failure(exchange: exchange, credentials: Fixture.credentials(exchange, secret: secretText))
                )
            }
        }
        let kraken = ExchangeRequest(method: "POST", path: "/0/private/BalanceEx", body: "nonce=1")
        cases.append(
            Failure(exchange: .kraken, request: kraken, credentials: Fixture.credentials(.kraken, secret: secretText))
        )
        cases.append(
            Failure(
                exchange: .kraken,
                request: ExchangeRequest(method: "POST", path: "/0/private/BalanceEx", body: "otp=\(secretText)"),
                credentials: Fixture.credentials(.kraken, secret: "dGVzdA==")
            )
        )
        cases.append(
            Failure(
                exchange: .coinbaseexchange,
                credentials: Fixture.credentials(.coinbaseexchange, secret: secretText, passphrase: passphraseText)
            )
        )
        cases.append(Failure(exchange: .coinbase, credentials: Fixture.credentials(.coinbase, secret: secretText)))
        cases.append(
            Failure(
                exchange: .coinbase,
                credentials: Fixture.credentials(
                    .coinbase,
                    secret: "-----BEGIN EC PRIVATE KEY-----\n\(secretText)\n-----END EC PRIVATE KEY-----"
                )
            )
        )
        return cases
    }

    @Test("no error text contains the secret or the passphrase")
    func noSecretsInErrors() {
        var thrown = 0
        for failure in Self.failures {
            let exchange = failure.exchange
            do {
                _ = try signer(for: exchange).sign(failure.request, credentials: failure.credentials, at: Fixture.time)
                Issue.record("\(exchange) signed a request that should fail")
            } catch {
                thrown += 1
                let texts = [
                    error.description, String(describing: error), String(reflecting: error), "\(error)",
                    (error as any Error).localizedDescription,
                ]
                for text in texts {
                    #expect(!text.contains(Self.secretText), "\(exchange): \(text)")
                    #expect(!text.contains(Self.passphraseText), "\(exchange): \(text)")
                    #expect(!text.contains("S3CR3T"), "\(exchange): \(text)")
                }
            }
        }
        #expect(thrown == Self.failures.count)
    }

    @Test("the failures are the expected ones")
    func expectedErrors() {
        let get = ExchangeRequest(method: "GET", path: "/x")
        #expect(throws: SigningError.wrongExchange(expected: .okx, got: .kucoin)) {
            try OKXSigner().sign(get, credentials: Fixture.credentials(.kucoin, passphrase: "p"), at: Fixture.time)
        }
        #expect(throws: SigningError.missingKeyOrSecret(.gate)) {
            try GateSigner().sign(get, credentials: Fixture.credentials(.gate, secret: ""), at: Fixture.time)
        }
        #expect(throws: SigningError.missingKeyOrSecret(.bybit)) {
            try BybitSigner().sign(get, credentials: Fixture.credentials(.bybit, key: ""), at: Fixture.time)
        }
    }

    @Test("every description is a readable sentence naming no key material")
    func descriptions() {
        let errors: [SigningError] = [
            .wrongExchange(expected: .okx, got: .kucoin), .missingKeyOrSecret(.gate), .missingPassphrase(.okx),
            .secretNotBase64(.kraken), .notAnECP256PrivateKey, .signingFailed, .missingNonce,
            .receiveWindowOutOfRange(70_000), .timeOutOfRange,
        ]
        for error in errors {
            #expect(!error.description.isEmpty)
        }
        #expect(SigningError.secretNotBase64(.kraken).description == "the Kraken secret is not valid base64")
    }
}
