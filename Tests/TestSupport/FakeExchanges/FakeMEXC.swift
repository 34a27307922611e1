/// MEXC spot v3: `X-MEXC-APIKEY`, Binance-style `timestamp`/`recvWindow`, lowercase-hex HMAC-SHA256 over
/// query ‖ body (exchanges.md §6, §10).
struct FakeMEXC: FakeExchangeRules {
    func answer(_ request: FakeHTTPRequest, in context: FakeExchangeContext) -> FakeReply {
        switch request.route {
        case "GET /api/v3/time":
            return .json(200, ["serverTime": .integer(context.nowMillis)], .serverTime)
        case "GET /api/v3/account":
            switch verify(request, in: context) {
            case .failure(let reply): return reply
            case .success(let account): return .json(200, accountInfo(account), .accepted)
            }
        default:
            return .json(404, ["code": 404, "msg": "Not Found"], .notFound, code: "404")
        }
    }

    private func verify(_ request: FakeHTTPRequest, in context: FakeExchangeContext) -> Result<FakeAccount, FakeReply> {
        guard let apiKey = request.header("x-mexc-apikey"), !apiKey.isEmpty else {
            return .failure(error(400, 400, "api key required", .missingCredentials))
        }
        guard let registered = context.account(apiKey), let key = registered.hmacKey else {
            return .failure(error(400, 10072, "invalid access key", .unknownKey))
        }
        guard registered.account.ipAllowed else {
            return .failure(error(400, 700006, "IP [\(context.clientIP)] not in the ip white list", .ipRefused))
        }
        guard let timestampText = request.parameter("timestamp"), let timestamp = Double(timestampText) else {
            return .failure(
                error(400, 700003, "Timestamp for this request is outside of the recvWindow.", .staleTimestamp)
            )
        }
        var recvWindow = 5000.0
        if let text = request.parameter("recvWindow") {
            guard let value = Double(text), value >= 0, value <= 60000 else {
                return .failure(error(400, 700005, "recvWindow must less than 60000", .staleTimestamp))
            }
            recvWindow = value
        }
        let now = Double(context.nowMillis)
        guard timestamp < now + 1000, now - timestamp <= recvWindow else {
            return .failure(
                error(400, 700003, "Timestamp for this request is outside of the recvWindow.", .staleTimestamp)
            )
        }
        let (payload, signature) = request.totalParamsWithoutSignature()
        // MEXC accepts lowercase hex only.
        let expected = FakeCrypto.hex(FakeCrypto.hmacSHA256(key: key, message: payload))
        guard let signature, FakeCrypto.constantTimeEqual(Array(expected.utf8), Array(signature.utf8)) else {
            return .failure(error(400, 700002, "Signature for this request is not valid.", .badSignature))
        }
        return .success(registered.account)
    }

    private func accountInfo(_ account: FakeAccount) -> FakeJSON {
        [
            "makerCommission": .null,
            "takerCommission": .null,
            "buyerCommission": .null,
            "sellerCommission": .null,
            "canTrade": .bool(account.canTrade),
            "canWithdraw": .bool(account.canWithdraw),
            "canDeposit": true,
            "updateTime": .null,
            "accountType": "SPOT",
            "balances": [
                ["asset": "USDT", "free": "0", "locked": "0"]
            ],
            "permissions": ["SPOT"],
        ]
    }

    private func error(_ status: Int, _ code: Int64, _ message: String, _ outcome: FakeOutcome) -> FakeReply {
        .json(status, ["code": .integer(code), "msg": .string(message)], outcome, code: String(code))
    }

    func rateLimited(in context: FakeExchangeContext) -> FakeReply {
        error(429, 429, "Too Many Requests", .rateLimited)
    }

    func internalError(status: Int, in context: FakeExchangeContext) -> FakeReply {
        error(status, 500, "System error", .down)
    }
}
