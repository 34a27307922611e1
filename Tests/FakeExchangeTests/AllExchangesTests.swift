import ExchangeBotCore
import Foundation
import TestSupport
import Testing

/// The verification recipe of exchanges.md §10, checked the same way on every fake.
@Suite("Every fake exchange")
struct AllExchangesTests {
    static let clockExchanges = ExchangeID.allCases.filter { $0 != .kraken }
    static let passphraseExchanges = ExchangeID.allCases.filter(\.requiresPassphrase)

    @Test(
        "a correctly signed request gets the permission answer built from the key's flags",
        arguments: ExchangeID.allCases
    )
    func acceptsCorrectlySignedRequest(exchange: ExchangeID) async throws {
        try await withFake(exchange) { server in
            let variants = [
                FakeAccount.random(for: exchange),
                FakeAccount.random(for: exchange, canTrade: false, canWithdraw: true, ipRestricted: false),
                FakeAccount.random(for: exchange, canTrade: false, canWithdraw: false),
            ]
            for account in variants {
                server.register(account)
                let request = try TestSigners.permissionRequest(exchange, account, at: TestSigners.millis(server))
                let response = try await request.send(to: server)
                #expect(response.status == 200, "\(response.text)")
                #expect(response.headers["content-type"]?.hasPrefix("application/json") == true)
                let json = try #require(response.json, "\(response.text)")
                #expect(
                    Expectations.permissions(exchange, json) == Expectations.visiblePermissions(exchange, account)
                )
                #expect(server.requests().last?.outcome == .accepted)
                #expect(server.requests().last?.code == nil)
            }
        }
    }

    @Test("a signature made with another secret gets the bad-signature error", arguments: ExchangeID.allCases)
    func rejectsWrongSecret(exchange: ExchangeID) async throws {
        try await withFake(exchange) { server in
            let account = FakeAccount.random(for: exchange)
            server.register(account)
            var forged = account
            forged.secret = FakeAccount.random(for: exchange).secret
            let request = try TestSigners.permissionRequest(exchange, forged, at: TestSigners.millis(server))
            let response = try await request.send(to: server)
            #expect(Expectations.error(exchange, response) == Expectations.wrongSecret(exchange))
            #expect(server.requests().last?.outcome == (exchange == .kucoin ? .wrongPassphrase : .badSignature))
        }
    }

    @Test("a signature over other bytes gets the bad-signature error", arguments: ExchangeID.allCases)
    func rejectsTamperedRequest(exchange: ExchangeID) async throws {
        try await withFake(exchange) { server in
            let account = FakeAccount.random(for: exchange)
            server.register(account)
            let signedAt = TestSigners.millis(server)
            var request = try TestSigners.permissionRequest(exchange, account, at: signedAt)
            // Sign one request and send another one's signature with it (Kraken: another nonce's).
            let other = try TestSigners.permissionRequest(exchange, account, at: signedAt - 1000, nonce: 1)
            let signatureHeaders = [
                "X-BAPI-SIGN", "OK-ACCESS-SIGN", "SIGN", "KC-API-SIGN", "CB-ACCESS-SIGN", "API-Sign",
            ]
            switch exchange {
            case .binance, .mexc:
                let signature = try #require(other.target.split(separator: "&").last)
                request.target =
                    String(try #require(request.target.split(separator: "&signature=").first))
                    + "&" + signature
            case .coinbase:
                let token = try TestSigners.coinbaseJWT(
                    keyName: account.apiKey,
                    pem: FakeAccount.random(for: .coinbase).secret,
                    uri: "GET api.coinbase.com/api/v3/brokerage/key_permissions",
                    notBefore: signedAt / 1000
                )
                request.headers = [("Authorization", "Bearer \(token)")]
            default:
                let stolen = try #require(other.headers.first { signatureHeaders.contains($0.0) })
                request.headers = request.headers.map { signatureHeaders.contains($0.0) ? stolen : $0 }
            }
            let response = try await request.send(to: server)
            #expect(Expectations.error(exchange, response) == Expectations.badSignature(exchange))
            #expect(server.requests().last?.outcome == .badSignature)
        }
    }

    @Test("a key the exchange never issued gets the invalid-key error", arguments: ExchangeID.allCases)
    func rejectsUnknownKey(exchange: ExchangeID) async throws {
        try await withFake(exchange) { server in
            server.register(FakeAccount.random(for: exchange))
            let stranger = FakeAccount.random(for: exchange)
            let request = try TestSigners.permissionRequest(exchange, stranger, at: TestSigners.millis(server))
            let response = try await request.send(to: server)
            #expect(Expectations.error(exchange, response) == Expectations.unknownKey(exchange))
            #expect(server.requests().last?.outcome == .unknownKey)
        }
    }

    @Test("an unregistered key is unknown again", arguments: [ExchangeID.binance, .kraken])
    func unregisterForgetsKey(exchange: ExchangeID) async throws {
        try await withFake(exchange) { server in
            let account = FakeAccount.random(for: exchange)
            server.register(account)
            server.unregister(apiKey: account.apiKey)
            let request = try TestSigners.permissionRequest(exchange, account, at: TestSigners.millis(server))
            let response = try await request.send(to: server)
            #expect(Expectations.error(exchange, response) == Expectations.unknownKey(exchange))
        }
    }

    @Test("a key whose whitelist excludes the caller gets the IP error", arguments: ExchangeID.allCases)
    func refusesIP(exchange: ExchangeID) async throws {
        try await withFake(exchange) { server in
            let account = FakeAccount.random(for: exchange, ipAllowed: false)
            server.register(account)
            let request = try TestSigners.permissionRequest(exchange, account, at: TestSigners.millis(server))
            let response = try await request.send(to: server)
            #expect(Expectations.error(exchange, response) == Expectations.ipRefused(exchange))
            #expect(server.requests().last?.outcome == .ipRefused)
        }
    }

    @Test("a wrong passphrase gets the passphrase error", arguments: passphraseExchanges)
    func rejectsWrongPassphrase(exchange: ExchangeID) async throws {
        try await withFake(exchange) { server in
            var account = FakeAccount.random(for: exchange)
            server.register(account)
            account.passphrase = "not-the-passphrase"
            let request = try TestSigners.permissionRequest(exchange, account, at: TestSigners.millis(server))
            let response = try await request.send(to: server)
            #expect(Expectations.error(exchange, response) == Expectations.wrongPassphrase(exchange))
            #expect(server.requests().last?.outcome == .wrongPassphrase)
        }
    }

    @Test("a request signed ten minutes ago gets the timestamp error", arguments: clockExchanges)
    func rejectsStaleTimestamp(exchange: ExchangeID) async throws {
        try await withFake(exchange) { server in
            let account = FakeAccount.random(for: exchange)
            server.register(account)
            let request = try TestSigners.permissionRequest(exchange, account, at: TestSigners.millis(server) - 600_000)
            let response = try await request.send(to: server)
            #expect(Expectations.error(exchange, response) == Expectations.staleTimestamp(exchange))
            #expect(server.requests().last?.outcome == .staleTimestamp)
        }
    }

    @Test("a request from the future is refused too", arguments: clockExchanges)
    func rejectsFutureTimestamp(exchange: ExchangeID) async throws {
        try await withFake(exchange) { server in
            let account = FakeAccount.random(for: exchange)
            server.register(account)
            let request = try TestSigners.permissionRequest(exchange, account, at: TestSigners.millis(server) + 600_000)
            let response = try await request.send(to: server)
            #expect(Expectations.error(exchange, response) == Expectations.staleTimestamp(exchange))
        }
    }

    @Test("the time endpoint tells the skewed clock, and signing at it recovers", arguments: ExchangeID.allCases)
    func clockSkewRecovery(exchange: ExchangeID) async throws {
        try await withFake(exchange) { server in
            let account = FakeAccount.random(for: exchange)
            server.register(account)
            server.setClockOffset(seconds: -3600)

            let time = try await RawHTTPClient.send(to: server.origin, "GET", Expectations.timePath(exchange))
            #expect(time.status == 200)
            let timeJSON = try #require(time.json)
            let serverMillis = try #require(Expectations.serverTimeMillis(exchange, timeJSON))
            let expected = (Date().timeIntervalSince1970 - 3600) * 1000
            #expect(abs(serverMillis - expected) < 5000, "server said \(serverMillis), expected about \(expected)")
            #expect(server.requests().last?.outcome == .serverTime)

            let realClock = Int64(Date().timeIntervalSince1970 * 1000)
            if let stale = Expectations.staleTimestamp(exchange) {
                let skewed = try TestSigners.permissionRequest(exchange, account, at: realClock)
                #expect(try await Expectations.error(exchange, skewed.send(to: server)) == stale)
            }
            let offset = Int64(serverMillis) - realClock
            let recovered = try TestSigners.permissionRequest(
                exchange,
                account,
                at: Int64(Date().timeIntervalSince1970 * 1000) + offset
            )
            let response = try await recovered.send(to: server)
            #expect(response.status == 200, "\(response.text)")
            #expect(server.requests().last?.outcome == .accepted)
        }
    }

    @Test("paths the exchange does not serve are 404", arguments: ExchangeID.allCases)
    func unknownPath(exchange: ExchangeID) async throws {
        try await withFake(exchange) { server in
            let response = try await RawHTTPClient.send(to: server.origin, "GET", "/no/such/endpoint")
            #expect(response.status == 404)
            #expect(server.requests().last?.outcome == .notFound)
        }
    }

    @Test("a request with no credentials at all is refused", arguments: ExchangeID.allCases)
    func noCredentials(exchange: ExchangeID) async throws {
        try await withFake(exchange) { server in
            server.register(FakeAccount.random(for: exchange))
            let account = FakeAccount.random(for: exchange)
            var request = try TestSigners.permissionRequest(exchange, account, at: TestSigners.millis(server))
            request.headers = request.headers.filter { $0.0 == "Content-Type" }
            let response = try await request.send(to: server)
            let outcome = try #require(server.requests().last?.outcome)
            #expect([.missingCredentials, .unknownKey].contains(outcome))
            #expect(response.status != 200 || [.bybit, .kraken].contains(exchange))
            #expect(Expectations.error(exchange, response).code != "<none>" || exchange == .coinbase)
        }
    }
}
