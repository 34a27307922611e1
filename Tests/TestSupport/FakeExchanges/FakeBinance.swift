/// Binance spot: `X-MBX-APIKEY`, `timestamp`/`recvWindow` parameters, hex HMAC-SHA256 over query ‖ body
/// (exchanges.md §2, §10).
struct FakeBinance: FakeExchangeRules {
    func answer(_ request: FakeHTTPRequest, in context: FakeExchangeContext) -> FakeReply {
        switch request.route {
        case "GET /api/v3/time":
            return .json(200, ["serverTime": .integer(context.nowMillis)], .serverTime)
        case "GET /sapi/v1/account/apiRestrictions", "GET /api/v3/account":
            switch verify(request, in: context) {
            case .failure(let reply): return reply
            case .success(let account):
                let body = request.path == "/api/v3/account" ? accountInfo(account, context) : restrictions(account)
                return .json(200, body, .accepted)
            }
        default:
            return .notFound
        }
    }

    private func verify(_ request: FakeHTTPRequest, in context: FakeExchangeContext) -> Result<FakeAccount, FakeReply> {
        guard let apiKey = request.header("x-mbx-apikey"), !apiKey.isEmpty else {
            return .failure(error(401, -2014, "API-key format invalid.", .missingCredentials))
        }
        guard let registered = context.account(apiKey), let key = registered.hmacKey else {
            return .failure(error(401, -2015, "Invalid API-key, IP, or permissions for action.", .unknownKey))
        }
        guard registered.account.ipAllowed else {
            return .failure(error(401, -2015, "Invalid API-key, IP, or permissions for action.", .ipRefused))
        }
        guard let timestampText = request.parameter("timestamp"), var timestamp = Double(timestampText) else {
            return .failure(mandatory("timestamp"))
        }
        // Timestamps may be given in microseconds (16 digits).
        if timestamp >= 1e15 { timestamp /= 1000 }
        var recvWindow = 5000.0
        if let text = request.parameter("recvWindow") {
            guard let value = Double(text), value >= 0 else { return .failure(mandatory("recvWindow")) }
            recvWindow = value
        }
        guard recvWindow <= 60000 else {
            return .failure(error(400, -1131, "recvWindow must be less than 60000", .missingCredentials))
        }
        let (payload, signature) = request.totalParamsWithoutSignature()
        guard let signature, !signature.isEmpty else { return .failure(mandatory("signature")) }
        let now = Double(context.nowMillis)
        if timestamp >= now + 1000 {
            return .failure(
                error(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time.", .staleTimestamp)
            )
        }
        if now - timestamp > recvWindow {
            return .failure(
                error(400, -1021, "Timestamp for this request is outside of the recvWindow.", .staleTimestamp)
            )
        }
        // Binance compares hex signatures case-insensitively.
        let expected = FakeCrypto.hex(FakeCrypto.hmacSHA256(key: key, message: payload))
        guard FakeCrypto.constantTimeEqual(Array(expected.utf8), Array(signature.lowercased().utf8)) else {
            return .failure(error(400, -1022, "Signature for this request is not valid.", .badSignature))
        }
        return .success(registered.account)
    }

    private func restrictions(_ account: FakeAccount) -> FakeJSON {
        [
            "ipRestrict": .bool(account.ipRestricted),
            "createTime": 1_698_645_219_000,
            "enableReading": true,
            "enableWithdrawals": .bool(account.canWithdraw),
            "enableInternalTransfer": false,
            "enableMargin": false,
            "enableFutures": false,
            "permitsUniversalTransfer": false,
            "enableVanillaOptions": false,
            "enableFixApiTrade": false,
            "enableFixReadOnly": true,
            "enableSpotAndMarginTrading": .bool(account.canTrade),
            "enablePortfolioMarginTrading": false,
        ]
    }

    private func accountInfo(_ account: FakeAccount, _ context: FakeExchangeContext) -> FakeJSON {
        [
            "makerCommission": 10,
            "takerCommission": 10,
            "buyerCommission": 0,
            "sellerCommission": 0,
            "commissionRates": [
                "maker": "0.00100000", "taker": "0.00100000", "buyer": "0.00000000",
                "seller": "0.00000000",
            ],
            "canTrade": .bool(account.canTrade),
            "canWithdraw": .bool(account.canWithdraw),
            "canDeposit": true,
            "brokered": false,
            "requireSelfTradePrevention": false,
            "preventSor": false,
            "updateTime": .integer(context.nowMillis),
            "accountType": "SPOT",
            "balances": [
                ["asset": "BTC", "free": "0.00000000", "locked": "0.00000000"],
                ["asset": "USDT", "free": "0.00000000", "locked": "0.00000000"],
            ],
            "permissions": ["SPOT"],
            "uid": 354_937_868,
        ]
    }

    private func mandatory(_ name: String) -> FakeReply {
        error(
            400,
            -1102,
            "Mandatory parameter '\(name)' was not sent, was empty/null, or malformed.",
            .missingCredentials
        )
    }

    private func error(_ status: Int, _ code: Int64, _ message: String, _ outcome: FakeOutcome) -> FakeReply {
        .json(status, ["code": .integer(code), "msg": .string(message)], outcome, code: String(code))
    }

    func rateLimited(in context: FakeExchangeContext) -> FakeReply {
        var reply = error(
            429,
            -1003,
            "Too many requests; current limit of IP(127.0.0.1) is 6000 requests per minute. Please use WebSocket "
                + "Streams for live updates to avoid polling the API.",
            .rateLimited
        )
        reply.extraHeaders = [("Retry-After", "1")]
        return reply
    }

    func internalError(status: Int, in context: FakeExchangeContext) -> FakeReply {
        error(status, -1001, "Internal error; unable to process your request. Please try again.", .down)
    }
}
