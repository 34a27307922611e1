import ExchangeBotCore
import Foundation
import TestSupport
import Testing

/// The fakes accept the published examples and the cross-checked vectors of exchanges.md byte for byte, with the
/// fake's clock set to the example's timestamp.
@Suite("Documented signing examples")
struct DocumentedVectorTests {
    /// Sets the fake's clock half a second after `milliseconds`, so the example's timestamp is "now".
    static func pin(_ server: FakeExchangeServer, to milliseconds: Int64) {
        server.setClockOffset(seconds: Double(milliseconds) / 1000 + 0.5 - Date().timeIntervalSince1970)
    }

    static let binanceKey = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
    static let binanceSecret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"

    @Test("Binance: the docs' LIMIT order example (§2.4), ASCII and percent-encoded, hex in either case")
    func binanceDocExample() async throws {
        try await withFake(.binance) { server in
            server.register(FakeAccount(apiKey: Self.binanceKey, secret: Self.binanceSecret))
            Self.pin(server, to: 1_499_827_319_559)
            let examples = [
                (
                    "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000"
                        + "&timestamp=1499827319559",
                    "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
                ),
                (
                    "symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT"
                        + "&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
                    "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3"
                ),
            ]
            for (query, signature) in examples {
                for sent in [signature, signature.uppercased()] {
                    let response = try await RawHTTPClient.send(
                        to: server.origin,
                        "GET",
                        "/api/v3/account?\(query)&signature=\(sent)",
                        headers: [("X-MBX-APIKEY", Self.binanceKey)]
                    )
                    #expect(response.status == 200, "\(response.text)")
                    #expect(response.json?["canTrade"]?.bool == true)
                    #expect(response.json?["permissions"]?.strings == ["SPOT"])
                }
            }
        }
    }

    @Test("Binance: the CCXT fetchBalance vector signs the same on both endpoints")
    func binanceComputedVector() async throws {
        try await withFake(.binance) { server in
            server.register(FakeAccount(apiKey: Self.binanceKey, secret: Self.binanceSecret, canWithdraw: true))
            Self.pin(server, to: 1_700_000_000_000)
            let query =
                "timestamp=1700000000000&recvWindow=10000"
                + "&signature=b4069c8a49b1ce04606701ff7d300a7db2344d4f355056e70bb4e48d247b0a28"
            for path in ["/api/v3/account", "/sapi/v1/account/apiRestrictions"] {
                let response = try await RawHTTPClient.send(
                    to: server.origin,
                    "GET",
                    "\(path)?\(query)",
                    headers: [("X-MBX-APIKEY", Self.binanceKey)]
                )
                #expect(response.status == 200, "\(response.text)")
            }
            let restrictions = try #require(server.requests().last)
            #expect(restrictions.outcome == .accepted)
        }
    }

    @Test("Bybit: the computed query-api vector (§3.4)")
    func bybitComputedVector() async throws {
        try await withFake(.bybit) { server in
            server.register(FakeAccount(apiKey: "test-api-key", secret: "test-secret"))
            Self.pin(server, to: 1_700_000_000_000)
            let response = try await RawHTTPClient.send(
                to: server.origin,
                "GET",
                "/v5/user/query-api",
                headers: [
                    ("X-BAPI-API-KEY", "test-api-key"), ("X-BAPI-TIMESTAMP", "1700000000000"),
                    ("X-BAPI-RECV-WINDOW", "5000"),
                    ("X-BAPI-SIGN", "2423cdb13b6b937e9a3874a49fec2472e936763f7caac00642dd1220210e76e1"),
                ]
            )
            #expect(response.status == 200)
            #expect(response.json?["retCode"]?.number == 0, "\(response.text)")
            #expect(response.json?["result"]?["apiKey"]?.string == "test-api-key")
        }
    }

    @Test("OKX: the computed account/config vector (§4.4)")
    func okxComputedVector() async throws {
        try await withFake(.okx) { server in
            server.register(FakeAccount(apiKey: "test-api-key", secret: "test-secret", passphrase: "test-passphrase"))
            Self.pin(server, to: 1_700_000_000_000)
            let response = try await RawHTTPClient.send(
                to: server.origin,
                "GET",
                "/api/v5/account/config",
                headers: [
                    ("OK-ACCESS-KEY", "test-api-key"), ("OK-ACCESS-TIMESTAMP", "2023-11-14T22:13:20.000Z"),
                    ("OK-ACCESS-SIGN", "XQO1E6eAFySoZcNKBldhRdVweGg6pDEBRBe0C6Bh7zI="),
                    ("OK-ACCESS-PASSPHRASE", "test-passphrase"),
                ]
            )
            #expect(response.status == 200, "\(response.text)")
            #expect(response.json?["code"]?.string == "0")
            #expect(response.json?["data"]?[0]?["perm"]?.string == "read_only,trade")
            #expect(response.json?["data"]?[0]?["ip"]?.string == "127.0.0.1")
        }
    }

    @Test(
        "Gate: the computed vectors (§5.4), query signed raw",
        arguments: [
            (
                "/api/v4/account/main_keys",
                "6b8e58515b764b2f03513a5573c144b37f737516b2f11f30d9a4e0643b8408564086b282af8b6a30f0539900103eb8a4"
                    + "a721046c04a4d5674ae4c6218dd0b00f"
            ),
            (
                "/api/v4/spot/accounts",
                "157d9c6819a76157119f81652d8a85bf29daf2eab3ae6b25aa47902e37b354885e562b94324129c5b958f3edd8889b"
                    + "011b4368eb554a66c27d82d7e99160a7e3"
            ),
            (
                "/api/v4/spot/accounts?currency=BTC",
                "dba754d4310283ce9f0614ff46ae304e5c35bd2937409c05bd4ad17ea38a6ff868e77dee5bfcc21477ba38a174147a"
                    + "164256fc21f48bffb33814071d55fd1f5a"
            ),
        ]
    )
    func gateComputedVectors(target: String, signature: String) async throws {
        try await withFake(.gate) { server in
            server.register(FakeAccount(apiKey: "test-api-key", secret: "test-secret"))
            Self.pin(server, to: 1_700_000_000_000)
            let response = try await RawHTTPClient.send(
                to: server.origin,
                "GET",
                target,
                headers: [("KEY", "test-api-key"), ("Timestamp", "1700000000"), ("SIGN", signature)]
            )
            #expect(response.status == 200, "\(response.text)")
            #expect(response.json?.array != nil)
        }
    }

    static let mexcKey = "mx0aBYs33eIilxBWC5"
    static let mexcSecret = "45d0b3c26f2644f19bfb98b07741b2f5"

    @Test("MEXC: the docs' example 2 (query) and example 3 (query ‖ body, §6.4)")
    func mexcDocExamples() async throws {
        try await withFake(.mexc) { server in
            server.register(FakeAccount(apiKey: Self.mexcKey, secret: Self.mexcSecret))
            Self.pin(server, to: 1_644_489_390_087)
            let example2 = try await RawHTTPClient.send(
                to: server.origin,
                "GET",
                "/api/v3/account?symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=11&recvWindow=5000"
                    + "&timestamp=1644489390087"
                    + "&signature=fd3e4e8543c5188531eb7279d68ae7d26a573d0fc5ab0d18eb692451654d837a",
                headers: [("X-MEXC-APIKEY", Self.mexcKey)]
            )
            #expect(example2.status == 200, "\(example2.text)")
            #expect(example2.json?["canTrade"]?.bool == true)

            let example3 = try await RawHTTPClient.send(
                to: server.origin,
                "GET",
                "/api/v3/account?symbol=BTCUSDT&side=BUY&type=LIMIT",
                headers: [("X-MEXC-APIKEY", Self.mexcKey), ("Content-Type", "application/x-www-form-urlencoded")],
                body: "quantity=1&price=11&recvWindow=5000&timestamp=1644489390087"
                    + "&signature=d1a676610ceb39174c8039b3f548357994b2a34139a8addd33baadba65684592"
            )
            #expect(example3.status == 200, "\(example3.text)")

            let uppercase = try await RawHTTPClient.send(
                to: server.origin,
                "GET",
                "/api/v3/account?symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=11&recvWindow=5000"
                    + "&timestamp=1644489390087"
                    + "&signature=FD3E4E8543C5188531EB7279D68AE7D26A573D0FC5AB0D18EB692451654D837A",
                headers: [("X-MEXC-APIKEY", Self.mexcKey)]
            )
            #expect(Expectations.error(.mexc, uppercase) == ExpectedError(400, "700002"))
        }
    }

    @Test("MEXC: the computed fetchBalance vector (§6.4)")
    func mexcComputedVector() async throws {
        try await withFake(.mexc) { server in
            server.register(FakeAccount(apiKey: Self.mexcKey, secret: Self.mexcSecret))
            Self.pin(server, to: 1_700_000_000_000)
            let response = try await RawHTTPClient.send(
                to: server.origin,
                "GET",
                "/api/v3/account?timestamp=1700000000000&recvWindow=5000"
                    + "&signature=b724ff160ae9a305fd57cd6c90ff8b3d0301b1b7d5d6e4255fc799b9ded36862",
                headers: [("X-MEXC-APIKEY", Self.mexcKey)]
            )
            #expect(response.status == 200, "\(response.text)")
        }
    }

    @Test("KuCoin: the computed api-key vector with the v2 passphrase (§7.4)")
    func kucoinComputedVector() async throws {
        try await withFake(.kucoin) { server in
            server.register(FakeAccount(apiKey: "test-api-key", secret: "test-secret", passphrase: "test-passphrase"))
            Self.pin(server, to: 1_700_000_000_000)
            let response = try await RawHTTPClient.send(
                to: server.origin,
                "GET",
                "/api/v1/user/api-key",
                headers: [
                    ("KC-API-KEY", "test-api-key"), ("KC-API-TIMESTAMP", "1700000000000"),
                    ("KC-API-SIGN", "iQCy1mrZdsqYmA9XSS+V8GQ5k15PevBR/GrxGWyRZuo="),
                    ("KC-API-PASSPHRASE", "UbgWiL7WdjQOVBl1OLuMgUbTl9VlKFsjFbLedtCDPrY="), ("KC-API-KEY-VERSION", "2"),
                ]
            )
            #expect(response.status == 200, "\(response.text)")
            #expect(response.json?["code"]?.string == "200000")
            #expect(response.json?["data"]?["permission"]?.string == "General,Spot")
        }
    }

    @Test("KuCoin: the doc key's v2 passphrase value is what the fake expects")
    func kucoinDocPassphrase() async throws {
        try await withFake(.kucoin) { server in
            let secret = "f03a5284-5c39-4aaa-9b20-dea10bdcf8e3"
            let account = FakeAccount(
                apiKey: "5c2db93503aa674c74a31734",
                secret: secret,
                passphrase: "Ab12345678)(*&^%$#@"
            )
            server.register(account)
            var request = try TestSigners.permissionRequest(.kucoin, account, at: TestSigners.millis(server))
            let passphrase = try #require(request.headers.first { $0.0 == "KC-API-PASSPHRASE" }?.1)
            #expect(passphrase == "F2p2bNS1bBehHvC/Z4YkB7l1Wd0Pq2iV/oLHM/DyE+I=")
            #expect(try await request.send(to: server).status == 200)
            // The doc's own header value is plain base64 of the passphrase, not the v2 HMAC: refused.
            request.headers = request.headers.map {
                $0.0 == "KC-API-PASSPHRASE" ? ($0.0, "QWIxMjM0NTY3OCkoKiZeJSQjQA==") : $0
            }
            #expect(try await Expectations.error(.kucoin, request.send(to: server)) == ExpectedError(401, "400004"))
        }
    }

    static let coinbaseKeyName =
        "organizations/00000000-0000-0000-0000-000000000000/apiKeys/11111111-1111-1111-1111-111111111111"
    static let coinbasePEM = """
        -----BEGIN EC PRIVATE KEY-----
        MHcCAQEEIMmvqdhFunUWa1whV2ex1pNOUMPbNuibEnuKYisSD2choAoGCCqGSM49
        AwEHoUQDQgAEYP7UuiVanTHJYet0xjVtaMBJuJI7Yfps5mliLmDyn7Z5A/4QCLi8
        maQa6elWKLxk8vGyDC1+n1F3o8KU1EYimQ==
        -----END EC PRIVATE KEY-----
        """
    static let coinbaseDocToken =
        "eyJhbGciOiJFUzI1NiIsImtpZCI6Im9yZ2FuaXphdGlvbnMvMDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAwL2FwaUtleXMv"
        + "MTExMTExMTEtMTExMS0xMTExLTExMTEtMTExMTExMTExMTExIiwibm9uY2UiOiIwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZiIs"
        + "InR5cCI6IkpXVCJ9.eyJzdWIiOiJvcmdhbml6YXRpb25zLzAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMC9hcGlLZXlzLz"
        + "ExMTExMTExLTExMTEtMTExMS0xMTExLTExMTExMTExMTExMSIsImlzcyI6ImNkcCIsIm5iZiI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAwMT"
        + "IwLCJ1cmkiOiJHRVQgYXBpLmNvaW5iYXNlLmNvbS9hcGkvdjMvYnJva2VyYWdlL2FjY291bnRzIn0.fKZb5VvWDgfZ4LYOtKplVDVGUaPsJ1"
        + "frSfe37allc_zvFVj322NwlZrP92T-Spj6aAWE7rfapQJcT8n7o2vNcQ"

    @Test("Coinbase: the doc's SEC1 key signs accepted JWTs; the doc token, made for /accounts, is refused here")
    func coinbaseDocKey() async throws {
        try await withFake(.coinbase) { server in
            server.register(FakeAccount(apiKey: Self.coinbaseKeyName, secret: Self.coinbasePEM))
            Self.pin(server, to: 1_700_000_010_000)
            let docToken = try await RawHTTPClient.send(
                to: server.origin,
                "GET",
                "/api/v3/brokerage/key_permissions",
                headers: [("Authorization", "Bearer \(Self.coinbaseDocToken)")]
            )
            #expect(docToken.status == 401)
            #expect(server.requests().last?.outcome == .badSignature)

            let token = try TestSigners.coinbaseJWT(
                keyName: Self.coinbaseKeyName,
                pem: Self.coinbasePEM,
                uri: "GET api.coinbase.com/api/v3/brokerage/key_permissions",
                notBefore: 1_700_000_000
            )
            let fresh = try await RawHTTPClient.send(
                to: server.origin,
                "GET",
                "/api/v3/brokerage/key_permissions",
                headers: [("Authorization", "Bearer \(token)")]
            )
            #expect(fresh.status == 200, "\(fresh.text)")
            #expect(fresh.json?["can_trade"]?.bool == true)
            #expect(fresh.json?["can_transfer"]?.bool == false)
        }
    }

    @Test("Coinbase Exchange: the computed /accounts vector (§9.2)")
    func coinbaseExchangeComputedVector() async throws {
        try await withFake(.coinbaseexchange) { server in
            server.register(
                FakeAccount(
                    apiKey: "test-api-key",
                    secret: "dGVzdC1zZWNyZXQtY29pbmJhc2UtZXhjaGFuZ2UtMzI=",
                    passphrase: "test-passphrase"
                )
            )
            Self.pin(server, to: 1_700_000_000_000)
            let response = try await RawHTTPClient.send(
                to: server.origin,
                "GET",
                "/accounts",
                headers: [
                    ("CB-ACCESS-KEY", "test-api-key"), ("CB-ACCESS-TIMESTAMP", "1700000000"),
                    ("CB-ACCESS-SIGN", "jcecEMgMYmcq98AfQrf/l1IGfalmsLjhDMRhqBfeT48="),
                    ("CB-ACCESS-PASSPHRASE", "test-passphrase"),
                ]
            )
            #expect(response.status == 200, "\(response.text)")
            #expect(response.json?[0]?["currency"]?.string == "BTC")
        }
    }

    @Test("Kraken: the computed GetApiKeyInfo vector (§8.4), whatever the clock says")
    func krakenComputedVector() async throws {
        try await withFake(.kraken) { server in
            let secret = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="
            server.register(FakeAccount(apiKey: "test-api-key", secret: secret, canWithdraw: true))
            #expect(
                TestSigners.krakenSign(
                    secret: secret,
                    path: "/0/private/AddOrder",
                    nonce: "1616492376594",
                    body: "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25"
                )
                    == "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ=="
            )
            let response = try await RawHTTPClient.send(
                to: server.origin,
                "POST",
                "/0/private/GetApiKeyInfo",
                headers: [
                    ("API-Key", "test-api-key"),
                    (
                        "API-Sign",
                        "6xtZxmtYMLwk37n8BqqQKpl6bZXMyF9KWYK2g9ovnC3gYOevcpMPQKkCIxNzqPU+i4GYsLhylJZYpEE64ahXrw=="
                    ),
                    ("Content-Type", "application/x-www-form-urlencoded"),
                ],
                body: "nonce=1700000000000"
            )
            #expect(response.status == 200)
            #expect(response.json?["error"]?.array == [], "\(response.text)")
            #expect(response.json?["result"]?["nonce"]?.string == "1700000000000")
            #expect(response.json?["result"]?["permissions"]?.strings.contains("withdraw-funds") == true)
        }
    }
}
