import ExchangeBotCore
import ExchangeKeyCheck
import Foundation
import TestSupport
import Testing

/// Every adapter against its strict fake exchange over real HTTP on loopback: the fakes verify signatures the way
/// each exchange documents, written independently of our signers.
@Suite struct FakeExchangeIntegrationTests {
    /// Runs `body` with a fake of `exchange` and a validator pointed at it.
    static func withFake(
        _ exchange: ExchangeID,
        timeout: Duration = .seconds(5),
        allowWithdraw: Bool = false,
        _ body: (FakeExchangeServer, ExchangeValidator) async throws -> Void
    ) async throws {
        let server = try await FakeExchangeServer.start(exchange)
        let transport = AsyncHTTPTransport()
        let validator = ExchangeValidator(
            transport: transport,
            endpoints: ExchangeEndpoints(overrides: [exchange: server.origin]),
            timeout: timeout,
            allowWithdrawKeys: allowWithdraw
        )
        do {
            try await body(server, validator)
        } catch {
            try? await transport.shutdown()
            try? await server.stop()
            throw error
        }
        try await transport.shutdown()
        try await server.stop()
    }

    static func credentials(_ account: FakeAccount, exchange: ExchangeID) -> Credentials {
        Credentials(
            exchange: exchange,
            apiKey: account.apiKey,
            apiSecret: SecretString(account.secret),
            passphrase: account.passphrase.map(SecretString.init)
        )
    }

    /// A different secret in the same format as the account's.
    static func otherSecret(of account: FakeAccount, exchange: ExchangeID) -> String {
        FakeAccount.random(for: exchange).secret
    }

    @Test(arguments: ExchangeID.allCases)
    func theRightKeyIsAcceptedWithItsPermissions(exchange: ExchangeID) async throws {
        try await Self.withFake(exchange) { server, validator in
            let account = FakeAccount.random(for: exchange)
            server.register(account)
            let report = try await validator.validate(Self.credentials(account, exchange: exchange))
            #expect(report.canTrade != false && report.canWithdraw != true)
            let unbound = FakeAccount.random(for: exchange, ipRestricted: false)
            server.register(unbound)
            let unboundReport = try await validator.validate(Self.credentials(unbound, exchange: exchange))
            if ![.mexc, .coinbase, .coinbaseexchange].contains(exchange) {
                #expect(
                    unboundReport.ipRestricted == false
                        && unboundReport.warnings.contains { $0.contains("IP whitelist") }
                )
            }
        }
    }

    @Test(arguments: ExchangeID.allCases)
    func wrongSecretAndUnknownKeyAreTyped(exchange: ExchangeID) async throws {
        try await Self.withFake(exchange) { server, validator in
            let account = FakeAccount.random(for: exchange)
            server.register(account)
            var wrong = Self.credentials(account, exchange: exchange)
            wrong.apiSecret = SecretString(Self.otherSecret(of: account, exchange: exchange))
            let expectedWrongSecret: Set<CredentialError> =
                switch exchange {
                case .coinbase: [.authenticationFailed]
                // KuCoin's v2 passphrase header is an HMAC under the secret, so a wrong secret fails there first.
                case .kucoin: [.invalidPassphrase, .invalidSecret]
                default: [.invalidSecret]
                }
            await #expect(
                performing: { try await validator.validate(wrong) },
                throws: { error in
                    expectedWrongSecret.contains(error as? CredentialError ?? .timeout)
                }
            )
            let stranger = FakeAccount.random(for: exchange)
            let expectedUnknown: Set<CredentialError> =
                switch exchange {
                case .binance: [.invalidKeyOrIP, .invalidAPIKey]
                case .coinbase: [.authenticationFailed]
                default: [.invalidAPIKey]
                }
            await #expect(
                performing: { try await validator.validate(Self.credentials(stranger, exchange: exchange)) },
                throws: { error in
                    expectedUnknown.contains(error as? CredentialError ?? .timeout)
                }
            )
        }
    }

    @Test(arguments: [ExchangeID.okx, .kucoin, .coinbaseexchange])
    func wrongPassphraseIsNamed(exchange: ExchangeID) async throws {
        try await Self.withFake(exchange) { server, validator in
            let account = FakeAccount.random(for: exchange)
            server.register(account)
            var wrong = Self.credentials(account, exchange: exchange)
            wrong.passphrase = SecretString("not-the-passphrase")
            await #expect(throws: CredentialError.invalidPassphrase) { try await validator.validate(wrong) }
        }
    }

    /// Coinbase Exchange reports no withdrawal scope at all (the report says so in a warning).
    @Test(arguments: ExchangeID.allCases.filter { $0 != .coinbaseexchange })
    func withdrawalKeysAreRefusedAndAcceptedOnlyWhenAllowed(exchange: ExchangeID) async throws {
        try await Self.withFake(exchange) { server, validator in
            let account = FakeAccount.random(for: exchange, canWithdraw: true)
            server.register(account)
            await #expect(throws: CredentialError.withdrawalEnabled) {
                try await validator.validate(Self.credentials(account, exchange: exchange))
            }
        }
        try await Self.withFake(exchange, allowWithdraw: true) { server, validator in
            let account = FakeAccount.random(for: exchange, canWithdraw: true)
            server.register(account)
            let report = try await validator.validate(Self.credentials(account, exchange: exchange))
            #expect(report.canWithdraw == true)
        }
    }

    @Test(arguments: ExchangeID.allCases)
    func keysThatCannotTradeAreRefused(exchange: ExchangeID) async throws {
        try await Self.withFake(exchange) { server, validator in
            let account = FakeAccount.random(for: exchange, canTrade: false)
            server.register(account)
            await #expect(throws: CredentialError.tradePermissionMissing) {
                try await validator.validate(Self.credentials(account, exchange: exchange))
            }
        }
    }

    @Test(arguments: ExchangeID.allCases)
    func aClockTwoMinutesOffIsRecovered(exchange: ExchangeID) async throws {
        for offset in [120.0, -120.0] {
            try await Self.withFake(exchange) { server, validator in
                let account = FakeAccount.random(for: exchange)
                server.register(account)
                server.setClockOffset(seconds: offset)
                _ = try await validator.validate(Self.credentials(account, exchange: exchange))
                let records = server.requests()
                // Kraken checks nonces, not clocks: one request. The others: refused, server time, accepted.
                #expect(records.count == (exchange == .kraken ? 1 : 3), "\(records.map(\.path))")
            }
        }
    }

    @Test(arguments: ExchangeID.allCases)
    func faultsOfTheExchangeAreTyped(exchange: ExchangeID) async throws {
        try await Self.withFake(exchange, timeout: .milliseconds(1500)) { server, validator in
            let account = FakeAccount.random(for: exchange)
            server.register(account)
            let credentials = Self.credentials(account, exchange: exchange)
            server.setBehaviour(.down(status: 503))
            await #expect(
                performing: { try await validator.validate(credentials) },
                throws: { error in
                    if case .exchangeUnavailable = error as? CredentialError { return true }
                    return false
                }
            )
            server.setBehaviour(.garbage)
            await #expect(
                performing: { try await validator.validate(credentials) },
                throws: { error in
                    if case .unexpectedResponse = error as? CredentialError { return true }
                    return false
                }
            )
            server.setBehaviour(.htmlErrorPage)
            await #expect(
                performing: { try await validator.validate(credentials) },
                throws: { error in
                    if case .exchangeUnavailable = error as? CredentialError { return true }
                    return false
                }
            )
            server.setBehaviour(.rateLimited)
            await #expect(throws: CredentialError.rateLimited) { try await validator.validate(credentials) }
            server.setBehaviour(.slow(seconds: 3))
            await #expect(throws: CredentialError.timeout) { try await validator.validate(credentials) }
        }
    }

    @Test func anUnreachableExchangeIsUnavailable() async throws {
        let transport = AsyncHTTPTransport()
        let validator = ExchangeValidator(
            transport: transport,
            endpoints: ExchangeEndpoints(overrides: [.binance: URL(string: "http://127.0.0.1:9")!]),
            timeout: .seconds(2)
        )
        let credentials = Credentials(exchange: .binance, apiKey: "k", apiSecret: SecretString("s"))
        await #expect(throws: CredentialError.exchangeUnavailable("cannot connect")) {
            try await validator.validate(credentials)
        }
        try await transport.shutdown()
    }

    @Test func requestsCarryOurUserAgent() async throws {
        try await Self.withFake(.binance) { server, validator in
            let account = FakeAccount.random(for: .binance)
            server.register(account)
            _ = try await validator.validate(Self.credentials(account, exchange: .binance))
            #expect(server.requests().first?.header("User-Agent")?.hasPrefix("exchange-bot/") == true)
        }
    }
}
