import Crypto
import ExchangeBotCore
import Foundation
import TestSupport
import Testing

/// Rules particular to one HMAC exchange: windows, parameter placement, raw queries, passphrase versions.
@Suite("HMAC exchange rules")
struct HMACExchangeRuleTests {
    // MARK: Binance

    static func binanceRequest(_ account: FakeAccount, query: String) -> SignedRequest {
        let signature = TestSigners.hex(TestSigners.hmacSHA256(Data(account.secret.utf8), query))
        return SignedRequest(
            target: "/sapi/v1/account/apiRestrictions?\(query)&signature=\(signature)",
            headers: [("X-MBX-APIKEY", account.apiKey)]
        )
    }

    @Test("Binance: recvWindow widens the window up to 60 s; beyond is -1131; 1 s ahead is -1021")
    func binanceWindows() async throws {
        try await withFake(.binance) { server in
            let account = FakeAccount.random(for: .binance)
            server.register(account)
            server.freezeClock()  // skew is measured exactly, however slow the machine
            let now = TestSigners.millis(server)
            let old = Self.binanceRequest(account, query: "timestamp=\(now - 30_000)&recvWindow=60000")
            #expect(try await old.send(to: server).status == 200)
            let tooOld = Self.binanceRequest(account, query: "timestamp=\(now - 30_000)")
            #expect(try await Expectations.error(.binance, tooOld.send(to: server)) == ExpectedError(400, "-1021"))
            let tooWide = Self.binanceRequest(account, query: "timestamp=\(now)&recvWindow=70000")
            #expect(try await Expectations.error(.binance, tooWide.send(to: server)) == ExpectedError(400, "-1131"))
            let ahead = Self.binanceRequest(account, query: "timestamp=\(now + 5000)")
            let aheadResponse = try await ahead.send(to: server)
            #expect(Expectations.error(.binance, aheadResponse) == ExpectedError(400, "-1021"))
            #expect(aheadResponse.json?["msg"]?.string?.contains("ahead") == true)
        }
    }

    @Test("Binance: a missing signature is -1102, and the signature may sit anywhere in the query")
    func binanceSignaturePlacement() async throws {
        try await withFake(.binance) { server in
            let account = FakeAccount.random(for: .binance)
            server.register(account)
            let query = "timestamp=\(TestSigners.millis(server))&recvWindow=5000"
            let unsigned = SignedRequest(
                target: "/sapi/v1/account/apiRestrictions?\(query)",
                headers: [("X-MBX-APIKEY", account.apiKey)]
            )
            #expect(try await Expectations.error(.binance, unsigned.send(to: server)) == ExpectedError(400, "-1102"))
            let signature = TestSigners.hex(TestSigners.hmacSHA256(Data(account.secret.utf8), query))
            let parts = query.split(separator: "&")
            let middle = SignedRequest(
                target: "/api/v3/account?\(parts[0])&signature=\(signature)&\(parts[1])",
                headers: [("X-MBX-APIKEY", account.apiKey)]
            )
            let response = try await middle.send(to: server)
            #expect(response.status == 200, "\(response.text)")
            #expect(response.json?["accountType"]?.string == "SPOT")
            #expect(response.json?["canWithdraw"]?.bool == false)
        }
    }

    @Test("Binance: the key header alone missing is -2014")
    func binanceMissingKey() async throws {
        try await withFake(.binance) { server in
            let response = try await RawHTTPClient.send(
                to: server.origin,
                "GET",
                "/sapi/v1/account/apiRestrictions?timestamp=1&signature=00"
            )
            #expect(Expectations.error(.binance, response) == ExpectedError(401, "-2014"))
        }
    }

    // MARK: Bybit

    @Test("Bybit: X-BAPI-RECV-WINDOW widens the window; without it the default is 5 s")
    func bybitRecvWindow() async throws {
        try await withFake(.bybit) { server in
            let account = FakeAccount.random(for: .bybit)
            server.register(account)
            server.freezeClock()  // skew is measured exactly, however slow the machine
            let timestamp = String(TestSigners.millis(server) - 8000)
            func request(recvWindow: String?) -> SignedRequest {
                let signature = TestSigners.hex(
                    TestSigners.hmacSHA256(
                        Data(account.secret.utf8),
                        timestamp + account.apiKey + (recvWindow ?? "5000")
                    )
                )
                var headers = [
                    ("X-BAPI-API-KEY", account.apiKey), ("X-BAPI-TIMESTAMP", timestamp), ("X-BAPI-SIGN", signature),
                ]
                if let recvWindow { headers.append(("X-BAPI-RECV-WINDOW", recvWindow)) }
                return SignedRequest(target: "/v5/user/query-api", headers: headers)
            }
            let wide = try await request(recvWindow: "10000").send(to: server)
            #expect(wide.json?["retCode"]?.number == 0, "\(wide.text)")
            let defaulted = try await request(recvWindow: nil).send(to: server)
            #expect(Expectations.error(.bybit, defaulted) == ExpectedError(200, "10002"))
        }
    }

    @Test("Bybit: the signed query is the raw query string")
    func bybitSignsRawQuery() async throws {
        try await withFake(.bybit) { server in
            let account = FakeAccount.random(for: .bybit)
            server.register(account)
            let timestamp = String(TestSigners.millis(server))
            let query = "b=2&a=1"
            func request(signing payload: String) -> SignedRequest {
                let signature = TestSigners.hex(
                    TestSigners.hmacSHA256(Data(account.secret.utf8), timestamp + account.apiKey + "5000" + payload)
                )
                return SignedRequest(
                    target: "/v5/user/query-api?\(query)",
                    headers: [
                        ("X-BAPI-API-KEY", account.apiKey), ("X-BAPI-TIMESTAMP", timestamp),
                        ("X-BAPI-RECV-WINDOW", "5000"), ("X-BAPI-SIGN", signature),
                    ]
                )
            }
            #expect(try await request(signing: query).send(to: server).json?["retCode"]?.number == 0)
            let sorted = try await request(signing: "a=1&b=2").send(to: server)
            #expect(Expectations.error(.bybit, sorted) == ExpectedError(200, "10004"))
        }
    }

    // MARK: OKX

    @Test("OKX: a malformed timestamp is 50112; the query is part of the signed path")
    func okxTimestampFormatAndQuery() async throws {
        try await withFake(.okx) { server in
            let account = FakeAccount.random(for: .okx)
            server.register(account)
            server.freezeClock()  // skew is measured exactly, however slow the machine
            let now = TestSigners.millis(server)
            func request(timestamp: String, target: String, signedPath: String) -> SignedRequest {
                let signature = TestSigners.hmacSHA256(Data(account.secret.utf8), timestamp + "GET" + signedPath)
                    .base64EncodedString()
                return SignedRequest(
                    target: target,
                    headers: [
                        ("OK-ACCESS-KEY", account.apiKey), ("OK-ACCESS-SIGN", signature),
                        ("OK-ACCESS-TIMESTAMP", timestamp), ("OK-ACCESS-PASSPHRASE", account.passphrase ?? ""),
                    ]
                )
            }
            let seconds = String(now / 1000)
            let malformed = request(
                timestamp: seconds,
                target: "/api/v5/account/config",
                signedPath: "/api/v5/account/config"
            )
            let malformedResponse = try await malformed.send(to: server)
            #expect(Expectations.error(.okx, malformedResponse) == ExpectedError(401, "50112"))

            let iso = TestSigners.isoMillis(now)
            let target = "/api/v5/account/config?ccy=BTC"
            let withQuery = request(timestamp: iso, target: target, signedPath: target)
            #expect(try await withQuery.send(to: server).status == 200)
            let withoutQuery = request(timestamp: iso, target: target, signedPath: "/api/v5/account/config")
            #expect(try await Expectations.error(.okx, withoutQuery.send(to: server)) == ExpectedError(401, "50113"))
        }
    }

    @Test("OKX: missing headers get their own codes")
    func okxMissingHeaders() async throws {
        try await withFake(.okx) { server in
            let response = try await RawHTTPClient.send(
                to: server.origin,
                "GET",
                "/api/v5/account/config",
                headers: [("OK-ACCESS-KEY", "k")]
            )
            #expect(Expectations.error(.okx, response) == ExpectedError(401, "50104"))
        }
    }

    // MARK: Gate

    @Test("Gate: the body hash covers the raw body and the 60 s window is inclusive of small skews")
    func gateWindow() async throws {
        try await withFake(.gate) { server in
            let account = FakeAccount.random(for: .gate)
            server.register(account)
            server.freezeClock()  // skew is measured exactly, however slow the machine
            let timestamp = String(TestSigners.millis(server) / 1000 - 50)
            let path = "/api/v4/spot/accounts"
            let message = "GET\n\(path)\n\n\(TestSigners.hex(SHA512.hash(data: Data())))\n\(timestamp)"
            let signature = TestSigners.hex(TestSigners.hmacSHA512(Data(account.secret.utf8), Data(message.utf8)))
            let request = SignedRequest(
                target: path,
                headers: [("KEY", account.apiKey), ("Timestamp", timestamp), ("SIGN", signature)]
            )
            let response = try await request.send(to: server)
            #expect(response.status == 200, "\(response.text)")
            #expect(response.json?[0]?["currency"]?.string == "BTC")
            var uppercase = request
            uppercase.headers[2].1 = signature.uppercased()
            #expect(
                try await Expectations.error(.gate, uppercase.send(to: server))
                    == ExpectedError(401, "INVALID_SIGNATURE")
            )
        }
    }

    @Test("Gate: main_keys masks the key and lists spot and wallet permissions")
    func gateMainKeys() async throws {
        try await withFake(.gate) { server in
            let account = FakeAccount.random(for: .gate, canTrade: true, canWithdraw: true, ipRestricted: false)
            server.register(account)
            let response = try await TestSigners.permissionRequest(.gate, account, at: TestSigners.millis(server))
                .send(to: server)
            let key = try #require(response.json?[0])
            #expect(key["key"]?.string == String(account.apiKey.prefix(12)) + "*****")
            #expect(key["ip_whitelist"]?.array == [])
            let json = try #require(response.json)
            #expect(Expectations.permissions(.gate, json).canWithdraw == true)
        }
    }

    // MARK: KuCoin

    @Test("KuCoin: version 1 keys send the passphrase plain; version 2 requires the HMAC'd one")
    func kucoinPassphraseVersions() async throws {
        try await withFake(.kucoin) { server in
            let account = FakeAccount.random(for: .kucoin)
            server.register(account)
            var request = try TestSigners.permissionRequest(.kucoin, account, at: TestSigners.millis(server))
            request.headers = request.headers.map { name, value in
                switch name {
                case "KC-API-PASSPHRASE": (name, account.passphrase ?? "")
                case "KC-API-KEY-VERSION": (name, "1")
                default: (name, value)
                }
            }
            #expect(try await request.send(to: server).status == 200)
            request.headers = request.headers.map { $0.0 == "KC-API-KEY-VERSION" ? ($0.0, "2") : $0 }
            #expect(try await Expectations.error(.kucoin, request.send(to: server)) == ExpectedError(401, "400004"))
        }
    }

    @Test("KuCoin: 4 s of skew passes, 6 s does not")
    func kucoinWindow() async throws {
        try await withFake(.kucoin) { server in
            let account = FakeAccount.random(for: .kucoin)
            server.register(account)
            server.freezeClock()  // skew is measured exactly, however slow the machine
            let now = TestSigners.millis(server)
            #expect(
                try await TestSigners.permissionRequest(.kucoin, account, at: now - 4000).send(to: server).status == 200
            )
            let late = try await TestSigners.permissionRequest(.kucoin, account, at: now - 6000).send(to: server)
            #expect(Expectations.error(.kucoin, late) == ExpectedError(401, "400002"))
        }
    }
}
