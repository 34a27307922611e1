import ExchangeBotCore
import ExchangeKeyCheck
import ExchangeSigning
import Foundation
import TestSupport
import Testing

/// Each exchange's answers, as its docs show them, read into reports and typed refusals.
@Suite struct AdapterTests {
    static let origin = URL(string: "http://127.0.0.1:1")!

    static func validator(_ transport: ScriptedTransport, allowWithdraw: Bool = false, sandbox: Bool = false)
        -> ExchangeValidator
    {
        ExchangeValidator(
            transport: transport,
            endpoints: ExchangeEndpoints(
                overrides: sandbox ? [:] : Dictionary(uniqueKeysWithValues: ExchangeID.allCases.map { ($0, origin) }),
                sandbox: sandbox
            ),
            allowWithdrawKeys: allowWithdraw,
            clock: FixedClock(Date(timeIntervalSince1970: 1_700_000_000))
        )
    }

    static func credentials(_ exchange: ExchangeID) -> Credentials {
        switch exchange {
        case .okx, .kucoin:
            Credentials(
                exchange: exchange,
                apiKey: "key-123456789",
                apiSecret: SecretString("secret"),
                passphrase: SecretString("pass")
            )
        case .coinbaseexchange:
            Credentials(
                exchange: exchange,
                apiKey: "key-123456789",
                apiSecret: SecretString("c2VjcmV0"),
                passphrase: SecretString("pass")
            )
        case .kraken:
            Credentials(exchange: exchange, apiKey: "key-123456789", apiSecret: SecretString("c2VjcmV0"))
        case .coinbase:
            Credentials(exchange: exchange, apiKey: "organizations/o/apiKeys/k", apiSecret: SecretString(Self.pem))
        default:
            Credentials(exchange: exchange, apiKey: "c5dcfbf1f3a7-key", apiSecret: SecretString("secret"))
        }
    }

    /// RFC 6979 A.2.5's P-256 test key (a test-only key, as in the exchange fact sheet).
    static let pem = """
        -----BEGIN EC PRIVATE KEY-----
        MHcCAQEEIMmvqdhFunUWa1whV2ex1pNOUMPbNuibEnuKYisSD2choAoGCCqGSM49
        AwEHoUQDQgAEYP7UuiVanTHJYet0xjVtaMBJuJI7Yfps5mliLmDyn7Z5A/4QCLi8
        maQa6elWKLxk8vGyDC1+n1F3o8KU1EYimQ==
        -----END EC PRIVATE KEY-----
        """

    /// The permission path and a documented success answer for a trade-only, IP-bound key, per exchange.
    static let success: [ExchangeID: (path: String, body: String)] = [
        .binance: (
            "/sapi/v1/account/apiRestrictions",
            #"{"ipRestrict":true,"createTime":1698645219000,"enableReading":true,"enableWithdrawals":false,"enableInternalTransfer":false,"enableMargin":false,"enableFutures":false,"permitsUniversalTransfer":false,"enableVanillaOptions":false,"enableSpotAndMarginTrading":true}"#
        ),
        .bybit: (
            "/v5/user/query-api",
            #"{"retCode":0,"retMsg":"","result":{"id":"1","apiKey":"key","readOnly":0,"permissions":{"ContractTrade":[],"Spot":["SpotTrade"],"Wallet":["AccountTransfer"],"Options":[],"Derivatives":[]},"ips":["1.2.3.4"],"uta":1},"time":1700000000000}"#
        ),
        .okx: (
            "/api/v5/account/config",
            #"{"code":"0","msg":"","data":[{"acctLv":"2","perm":"read_only,trade","ip":"1.2.3.4","label":"bot","uid":"1"}]}"#
        ),
        .gate: (
            "/api/v4/account/main_keys",
            #"[{"state":1,"mode":1,"name":"bot","perms":[{"name":"spot","read_only":false},{"name":"wallet","read_only":true}],"ip_whitelist":["1.2.3.4"],"key":"c5dcfbf1f3a7*****"}]"#
        ),
        .mexc: (
            "/api/v3/account",
            #"{"makerCommission":0,"canTrade":true,"canWithdraw":false,"canDeposit":true,"accountType":"SPOT","balances":[],"permissions":["SPOT"]}"#
        ),
        .kucoin: (
            "/api/v1/user/api-key",
            #"{"code":"200000","data":{"remark":"bot","apiKey":"key","apiVersion":3,"permission":"General,Spot","ipWhitelist":"1.2.3.4","isMaster":true}}"#
        ),
        .coinbase: (
            "/api/v3/brokerage/key_permissions",
            #"{"can_view":true,"can_trade":true,"can_transfer":false,"portfolio_uuid":"p","portfolio_type":"DEFAULT"}"#
        ),
        .coinbaseexchange: ("/accounts", #"[{"id":"a","currency":"BTC","balance":"0"}]"#),
        .kraken: (
            "/0/private/GetApiKeyInfo",
            #"{"error":[],"result":{"apiKeyName":"bot","permissions":["query-funds","query-open-trades","modify-trades"],"ipAllowlist":["1.2.3.4"]}}"#
        ),
    ]

    @Test(arguments: ExchangeID.allCases)
    func aTradeOnlyKeyIsAccepted(exchange: ExchangeID) async throws {
        let transport = ScriptedTransport()
        let (path, body) = try #require(Self.success[exchange])
        transport.on(path, .answer(status: 200, body: body))
        let report = try await Self.validator(transport).validate(Self.credentials(exchange))
        #expect(report.canTrade != false && report.canWithdraw != true)
        if exchange != .coinbaseexchange && exchange != .mexc && exchange != .coinbase {
            #expect(report.ipRestricted == true, "\(exchange)")
        }
        #expect(transport.sent.count == 1)
        // Signed: some header or parameter carries the key.
        let sent = try #require(transport.sent.first)
        #expect(
            sent.headers.contains {
                $0.value.contains("key-123456789") || $0.value.contains("c5dcfbf1f3a7") || $0.name == "Authorization"
            }
        )
    }

    @Test func withdrawalKeysAreRefusedUnlessAllowed() async throws {
        let body =
            #"{"ipRestrict":true,"enableReading":true,"enableWithdrawals":true,"enableSpotAndMarginTrading":true}"#
        let transport = ScriptedTransport()
        transport.on("/sapi/v1/account/apiRestrictions", .answer(status: 200, body: body))
        await #expect(throws: CredentialError.withdrawalEnabled) {
            try await Self.validator(transport).validate(Self.credentials(.binance))
        }
        let report = try await Self.validator(transport, allowWithdraw: true).validate(Self.credentials(.binance))
        #expect(report.canWithdraw == true && report.warnings.contains { $0.contains("withdraw") })
    }

    @Test func keysThatCannotTradeAreRefusedAndUnboundKeysWarned() async throws {
        let transport = ScriptedTransport()
        transport.on(
            "/api/v5/account/config",
            .answer(status: 200, body: #"{"code":"0","data":[{"perm":"read_only","ip":""}]}"#)
        )
        await #expect(throws: CredentialError.tradePermissionMissing) {
            try await Self.validator(transport).validate(Self.credentials(.okx))
        }
        let unbound = ScriptedTransport()
        unbound.on(
            "/v5/user/query-api",
            .answer(
                status: 200,
                body: #"{"retCode":0,"result":{"readOnly":0,"permissions":{"Spot":["SpotTrade"]},"ips":["*"]}}"#
            )
        )
        let report = try await Self.validator(unbound).validate(Self.credentials(.bybit))
        #expect(report.ipRestricted == false && report.warnings.contains { $0.contains("IP whitelist") })
    }

    /// Each exchange's documented refusals, mapped to what the user must fix.
    @Test(arguments: [
        (
            ExchangeID.binance, 401, #"{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}"#,
            CredentialError.invalidKeyOrIP
        ),
        (.binance, 400, #"{"code":-1022,"msg":"Signature for this request is not valid."}"#, .invalidSecret),
        (.bybit, 200, #"{"retCode":10003,"retMsg":"API key is invalid."}"#, .invalidAPIKey),
        (.bybit, 200, #"{"retCode":10004,"retMsg":"Error sign"}"#, .invalidSecret),
        (.bybit, 200, #"{"retCode":10010,"retMsg":"Unmatched IP"}"#, .ipNotWhitelisted),
        (
            .okx, 401, #"{"code":"50105","msg":"Request header OK-ACCESS-PASSPHRASE incorrect.","data":[]}"#,
            .invalidPassphrase
        ),
        (.okx, 401, #"{"code":"50113","msg":"Invalid signature.","data":[]}"#, .invalidSecret),
        (.okx, 401, #"{"code":"50110","msg":"Your IP 1.2.3.4 is not included","data":[]}"#, .ipNotWhitelisted),
        (.gate, 401, #"{"label":"INVALID_KEY","message":"Invalid API Key"}"#, .invalidAPIKey),
        (.gate, 401, #"{"label":"INVALID_SIGNATURE","message":"Signature mismatch"}"#, .invalidSecret),
        (.gate, 403, #"{"label":"IP_FORBIDDEN","message":"IP not allowed"}"#, .ipNotWhitelisted),
        (.mexc, 400, #"{"code":700002,"msg":"Signature for this request is not valid."}"#, .invalidSecret),
        (.mexc, 400, #"{"code":10072,"msg":"invalid access key"}"#, .invalidAPIKey),
        (.kucoin, 401, #"{"code":"400004","msg":"Invalid KC-API-PASSPHRASE"}"#, .invalidPassphrase),
        (.kucoin, 401, #"{"code":"400003","msg":"KC-API-KEY not exists"}"#, .invalidAPIKey),
        (.kucoin, 401, #"{"code":"400006","msg":"ip not in whitelist"}"#, .ipNotWhitelisted),
        (.coinbase, 401, "Unauthorized", .authenticationFailed),
        (.coinbaseexchange, 400, #"{"message":"Invalid Passphrase"}"#, .invalidPassphrase),
        (.coinbaseexchange, 401, #"{"message":"invalid signature"}"#, .invalidSecret),
        (.coinbaseexchange, 401, #"{"message":"Invalid API Key"}"#, .invalidAPIKey),
        (.kraken, 200, #"{"error":["EAPI:Invalid key"]}"#, .invalidAPIKey),
        (.kraken, 200, #"{"error":["EAPI:Invalid signature"]}"#, .invalidSecret),
    ])
    func refusals(exchange: ExchangeID, status: Int, body: String, expected: CredentialError) async throws {
        let transport = ScriptedTransport()
        transport.on(try #require(Self.success[exchange]).path, .answer(status: status, body: body))
        await #expect(throws: expected) { try await Self.validator(transport).validate(Self.credentials(exchange)) }
    }

    @Test(arguments: [
        (
            ScriptedTransport.Reply.answer(status: 503, body: "<html><body>Maintenance</body></html>"),
            CredentialError.exchangeUnavailable("HTTP 503")
        ),
        (.answer(status: 200, body: "\u{0}\u{1}garbage"), .unexpectedResponse("HTTP 200 with a body that is not JSON")),
        (
            .answer(status: 403, body: "<!DOCTYPE html><html>Access denied</html>"),
            .exchangeUnavailable("HTTP 403 from a firewall or region block")
        ),
        (.answer(status: 451, body: "{}"), .exchangeUnavailable("blocked in this region (HTTP 451)")),
        (.answer(status: 429, body: "{}"), .rateLimited),
        (
            .answer(status: 200, body: #"{"unexpected":true}"#),
            .unexpectedResponse("the Binance permissions answer lacks the documented fields")
        ),
        (.fail(.timeout), .timeout),
        (.fail(.unreachable("connection refused")), .exchangeUnavailable("cannot connect")),
    ])
    func faultsOfTheExchangeAreTypedNeverCrashes(reply: ScriptedTransport.Reply, expected: CredentialError) async throws
    {
        let transport = ScriptedTransport()
        transport.on("/sapi/v1/account/apiRestrictions", reply)
        await #expect(throws: expected) { try await Self.validator(transport).validate(Self.credentials(.binance)) }
    }

    @Test func clockSkewIsCorrectedOnceFromTheServerTime() async throws {
        let transport = ScriptedTransport()
        transport.on(
            "/api/v3/account",
            .answer(
                status: 400,
                body: #"{"code":700003,"msg":"Timestamp for this request is outside of the recvWindow."}"#
            ),
            .answer(status: 200, body: try #require(Self.success[.mexc]).body)
        )
        // The exchange's clock is two minutes ahead of ours.
        transport.on("/api/v3/time", .answer(status: 200, body: #"{"serverTime":1700000120000}"#))
        _ = try await Self.validator(transport).validate(Self.credentials(.mexc))
        let stamps = transport.sent.filter { $0.path == "/api/v3/account" }.map { request in
            request.query.split(separator: "&").first { $0.hasPrefix("timestamp=") }.map { String($0.dropFirst(10)) }
        }
        #expect(stamps == ["1700000000000", "1700000120000"])
        // A second refusal after the correction is reported, not retried forever.
        let stubborn = ScriptedTransport()
        stubborn.on("/api/v3/account", .answer(status: 400, body: #"{"code":700003,"msg":"Timestamp"}"#))
        stubborn.on("/api/v3/time", .answer(status: 200, body: #"{"serverTime":1700000120000}"#))
        await #expect(throws: CredentialError.clockSkew) {
            try await Self.validator(stubborn).validate(Self.credentials(.mexc))
        }
        #expect(stubborn.sent.count == 3)
    }

    @Test func gateKeysWithoutAccountPermissionFallBackToSpotAccounts() async throws {
        let transport = ScriptedTransport()
        transport.on(
            "/api/v4/account/main_keys",
            .answer(
                status: 403,
                body: #"{"label":"FORBIDDEN","message":"Request API key does not have account permission"}"#
            )
        )
        transport.on(
            "/api/v4/spot/accounts",
            .answer(status: 200, body: #"[{"currency":"USDT","available":"1","locked":"0"}]"#)
        )
        let report = try await Self.validator(transport).validate(Self.credentials(.gate))
        #expect(report.canTrade == nil && !report.warnings.isEmpty)
        #expect(transport.sent.map(\.path) == ["/api/v4/account/main_keys", "/api/v4/spot/accounts"])
    }

    @Test func sandboxWithoutATestnetSaysSo() async throws {
        await #expect(throws: CredentialError.sandboxUnavailable(.mexc)) {
            try await Self.validator(ScriptedTransport(), sandbox: true).validate(Self.credentials(.mexc))
        }
        #expect(ExchangeEndpoints(sandbox: true).origin(for: .binance)?.host == "testnet.binance.vision")
        #expect(ExchangeEndpoints(sandbox: true).origin(for: .kraken) == nil)
        let override = URL(string: "http://127.0.0.1:9")!
        #expect(ExchangeEndpoints(overrides: [.kraken: override], sandbox: true).origin(for: .kraken) == override)
    }

    @Test func secretsTheSignerCannotUseAreTypedErrors() async throws {
        let transport = ScriptedTransport()
        let notBase64 = Credentials(exchange: .kraken, apiKey: "k", apiSecret: SecretString("%%%not base64%%%"))
        await #expect(throws: CredentialError.invalidSecret) { try await Self.validator(transport).validate(notBase64) }
        let notPEM = Credentials(
            exchange: .coinbase,
            apiKey: "organizations/o/apiKeys/k",
            apiSecret: SecretString("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----")
        )
        await #expect(throws: CredentialError.invalidSecret) { try await Self.validator(transport).validate(notPEM) }
        #expect(transport.sent.isEmpty)
    }

    @Test func krakenNoncesKeepGrowing() async throws {
        let transport = ScriptedTransport()
        transport.on("/0/private/GetApiKeyInfo", .answer(status: 200, body: try #require(Self.success[.kraken]).body))
        let validator = Self.validator(transport)
        for _ in 0..<3 { _ = try await validator.validate(Self.credentials(.kraken)) }
        let nonces = transport.sent.compactMap { UInt64($0.body.split(separator: "&")[0].dropFirst(6)) }
        #expect(nonces.count == 3 && nonces == nonces.sorted() && Set(nonces).count == 3)
    }
}
