import ExchangeBotCore
import Foundation
import TestSupport
import Testing

/// Rules particular to Coinbase (JWT claims), Coinbase Exchange (decimal timestamps) and Kraken (nonces).
@Suite("Coinbase and Kraken rules")
struct CoinbaseAndKrakenRuleTests {
    // MARK: Coinbase

    @Test(
        "Coinbase: JWTs with a wrong claim or header are refused",
        arguments: [
            "kid differs from sub", "issuer", "algorithm", "lifetime", "not yet valid", "expired", "uri path",
            "uri host", "uri method",
        ]
    )
    func coinbaseBadClaims(flaw: String) async throws {
        try await withFake(.coinbase) { server in
            let account = FakeAccount.random(for: .coinbase)
            server.register(account)
            server.freezeClock()  // skew is measured exactly, however slow the machine
            let now = TestSigners.millis(server) / 1000
            let path = "/api/v3/brokerage/key_permissions"
            var uri = "GET api.coinbase.com\(path)"
            var notBefore = now
            var lifetime: Int64 = 120
            var issuer = "cdp"
            var kid: String?
            var algorithm = "ES256"
            switch flaw {
            case "kid differs from sub": kid = FakeAccount.random(for: .coinbase).apiKey
            case "issuer": issuer = "someone"
            case "algorithm": algorithm = "ES384"
            case "lifetime":
                notBefore = now - 10
                lifetime = 600
            case "not yet valid": notBefore = now + 30
            case "expired": notBefore = now - 130
            case "uri path": uri = "GET api.coinbase.com/api/v3/brokerage/accounts"
            case "uri host": uri = "GET 127.0.0.1\(path)"
            default: uri = "POST api.coinbase.com\(path)"
            }
            let token = try TestSigners.coinbaseJWT(
                keyName: account.apiKey,
                pem: account.secret,
                uri: uri,
                notBefore: notBefore,
                lifetime: lifetime,
                issuer: issuer,
                kid: kid,
                algorithm: algorithm
            )
            let response = try await RawHTTPClient.send(
                to: server.origin,
                "GET",
                path,
                headers: [("Authorization", "Bearer \(token)")]
            )
            #expect(response.status == 401, "\(flaw)")
        }
    }

    @Test("Coinbase: CCXT's issuer and a query string outside the uri claim are accepted")
    func coinbaseAcceptedVariants() async throws {
        try await withFake(.coinbase) { server in
            let account = FakeAccount.random(for: .coinbase, canTrade: false, canWithdraw: true)
            server.register(account)
            let path = "/api/v3/brokerage/key_permissions"
            let token = try TestSigners.coinbaseJWT(
                keyName: account.apiKey,
                pem: account.secret,
                uri: "GET api.coinbase.com\(path)",
                notBefore: TestSigners.millis(server) / 1000,
                issuer: "coinbase-cloud"
            )
            let response = try await RawHTTPClient.send(
                to: server.origin,
                "GET",
                path + "?portfolio=default",
                headers: [("Authorization", "Bearer \(token)")]
            )
            #expect(response.status == 200, "\(response.text)")
            #expect(response.json?["can_trade"]?.bool == false)
            #expect(response.json?["can_transfer"]?.bool == true)
        }
    }

    @Test("Coinbase: a garbled bearer token is a 401, not a crash")
    func coinbaseGarbledToken() async throws {
        try await withFake(.coinbase) { server in
            for token in ["", "abc", "a.b.c", "a.b", "....", "eyJ9.eyJ9.AAAA"] {
                let response = try await RawHTTPClient.send(
                    to: server.origin,
                    "GET",
                    "/api/v3/brokerage/key_permissions",
                    headers: [("Authorization", "Bearer \(token)")]
                )
                #expect(response.status == 401)
            }
        }
    }

    // MARK: Coinbase Exchange

    @Test("Coinbase Exchange: decimal timestamps are signed as sent")
    func coinbaseExchangeDecimalTimestamp() async throws {
        try await withFake(.coinbaseexchange) { server in
            let account = FakeAccount.random(for: .coinbaseexchange)
            server.register(account)
            let timestamp = String(format: "%.3f", Double(TestSigners.millis(server)) / 1000)
            let signature = TestSigners.hmacSHA256(
                Data(base64Encoded: account.secret) ?? Data(),
                timestamp + "GET/accounts"
            )
            .base64EncodedString()
            let response = try await RawHTTPClient.send(
                to: server.origin,
                "GET",
                "/accounts",
                headers: [
                    ("CB-ACCESS-KEY", account.apiKey), ("CB-ACCESS-SIGN", signature),
                    ("CB-ACCESS-TIMESTAMP", timestamp),
                    ("CB-ACCESS-PASSPHRASE", account.passphrase ?? ""),
                ]
            )
            #expect(response.status == 200, "\(response.text)")
        }
    }

    // MARK: Kraken

    @Test("Kraken: a nonce must exceed the key's last one; forged requests do not burn nonces")
    func krakenNonces() async throws {
        try await withFake(.kraken) { server in
            let account = FakeAccount.random(for: .kraken)
            server.register(account)
            let first = try TestSigners.permissionRequest(.kraken, account, at: 0, nonce: 1000)
            let accepted = try await first.send(to: server)
            #expect(accepted.json?["error"]?.array == [], "\(accepted.text)")
            #expect(accepted.json?["result"]?["nonce"]?.string == "1000")

            let replay = try await first.send(to: server)
            #expect(Expectations.error(.kraken, replay) == ExpectedError(200, "EAPI:Invalid nonce"))
            #expect(server.requests().last?.outcome == .reusedNonce)
            let lower = try TestSigners.permissionRequest(.kraken, account, at: 0, nonce: 999)
            #expect(try await Expectations.error(.kraken, lower.send(to: server)).code == "EAPI:Invalid nonce")

            var forged = account
            forged.secret = FakeAccount.random(for: .kraken).secret
            let forgery = try TestSigners.permissionRequest(.kraken, forged, at: 0, nonce: 5000)
            #expect(try await Expectations.error(.kraken, forgery.send(to: server)).code == "EAPI:Invalid signature")
            let next = try TestSigners.permissionRequest(.kraken, account, at: 0, nonce: 1001)
            #expect(try await next.send(to: server).json?["error"]?.array == [])
        }
    }

    @Test("Kraken: JSON bodies carry the nonce too, as a number or a string")
    func krakenJSONBody() async throws {
        try await withFake(.kraken) { server in
            let account = FakeAccount.random(for: .kraken)
            server.register(account)
            let path = "/0/private/GetApiKeyInfo"
            for (nonce, body) in [("7000", #"{"nonce":7000}"#), ("7001", #"{"nonce":"7001"}"#)] {
                let response = try await RawHTTPClient.send(
                    to: server.origin,
                    "POST",
                    path,
                    headers: [
                        ("API-Key", account.apiKey),
                        (
                            "API-Sign",
                            TestSigners.krakenSign(secret: account.secret, path: path, nonce: nonce, body: body)
                        ),
                        ("Content-Type", "application/json"),
                    ],
                    body: body
                )
                #expect(response.json?["error"]?.array == [], "\(response.text)")
            }
        }
    }

    @Test("Kraken: a missing nonce is an invalid nonce")
    func krakenMissingNonce() async throws {
        try await withFake(.kraken) { server in
            let account = FakeAccount.random(for: .kraken)
            server.register(account)
            let path = "/0/private/GetApiKeyInfo"
            let response = try await RawHTTPClient.send(
                to: server.origin,
                "POST",
                path,
                headers: [
                    ("API-Key", account.apiKey),
                    ("API-Sign", TestSigners.krakenSign(secret: account.secret, path: path, nonce: "", body: "")),
                ]
            )
            #expect(Expectations.error(.kraken, response) == ExpectedError(200, "EAPI:Invalid nonce"))
        }
    }
}
