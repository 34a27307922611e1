/// Gate API v4: `KEY`/`Timestamp`/`SIGN` headers, seconds within ±60 s, hex HMAC-SHA512 over
/// METHOD\npath\nquery\nSHA512hex(body)\nTimestamp (exchanges.md §5, §10).
struct FakeGate: FakeExchangeRules {
    func answer(_ request: FakeHTTPRequest, in context: FakeExchangeContext) -> FakeReply {
        switch request.route {
        case "GET /api/v4/spot/time":
            return .json(200, ["server_time": .integer(context.nowMillis)], .serverTime)
        case "GET /api/v4/account/main_keys", "GET /api/v4/spot/accounts":
            switch verify(request, in: context) {
            case .failure(let reply): return reply
            case .success(let account):
                let body = request.path == "/api/v4/spot/accounts" ? spotAccounts() : mainKeys(account, context)
                return .json(200, body, .accepted)
            }
        default:
            return .json(404, ["label": "NOT_FOUND", "message": "Not Found"], .notFound, code: "NOT_FOUND")
        }
    }

    private func verify(_ request: FakeHTTPRequest, in context: FakeExchangeContext) -> Result<FakeAccount, FakeReply> {
        for header in ["KEY", "Timestamp", "SIGN"] where (request.header(header.lowercased()) ?? "").isEmpty {
            return .failure(
                error(401, "MISSING_REQUIRED_HEADER", "Missing required header: \(header)", .missingCredentials)
            )
        }
        let apiKey = request.header("key") ?? ""
        let timestampText = request.header("timestamp") ?? ""
        let signature = request.header("sign") ?? ""
        guard let registered = context.account(apiKey), let key = registered.hmacKey else {
            return .failure(error(401, "INVALID_KEY", "Invalid key provided", .unknownKey))
        }
        guard registered.account.ipAllowed else {
            return .failure(
                error(403, "IP_FORBIDDEN", "Request IP not in whitelist: \(context.clientIP)", .ipRefused)
            )
        }
        guard let timestamp = Double(timestampText), abs(context.nowSeconds - timestamp) <= 60 else {
            return .failure(
                error(
                    401,
                    "REQUEST_EXPIRED",
                    "gap between request Timestamp and server time exceeds 60",
                    .staleTimestamp
                )
            )
        }
        let bodyHash = FakeCrypto.hex(FakeCrypto.sha512(request.body))
        let message = [request.method, request.path, request.rawQuery, bodyHash, timestampText]
            .joined(separator: "\n")
        let expected = FakeCrypto.hex(FakeCrypto.hmacSHA512(key: key, message: Array(message.utf8)))
        guard FakeCrypto.constantTimeEqual(Array(expected.utf8), Array(signature.utf8)) else {
            return .failure(error(401, "INVALID_SIGNATURE", "Signature mismatch", .badSignature))
        }
        return .success(registered.account)
    }

    private func mainKeys(_ account: FakeAccount, _ context: FakeExchangeContext) -> FakeJSON {
        let masked = String(account.apiKey.prefix(12)) + "*****"
        let seconds = context.nowMillis / 1000
        return [
            [
                "state": 1,
                "mode": 1,
                "name": "fake",
                "user_id": 10_001,
                "perms": [
                    ["name": "spot", "read_only": .bool(!account.canTrade)],
                    ["name": "wallet", "read_only": .bool(!account.canWithdraw)],
                    ["name": "account", "read_only": true],
                ],
                "ip_whitelist": .strings(account.ipRestricted ? ["127.0.0.1"] : []),
                "currency_pairs": [],
                "key": .string(masked),
                "created_at": 1_700_000_000,
                "update_at": 1_700_000_000,
                "last_access": .integer(seconds),
            ]
        ]
    }

    private func spotAccounts() -> FakeJSON {
        [
            ["currency": "BTC", "available": "0", "locked": "0", "update_id": 1],
            ["currency": "USDT", "available": "0", "locked": "0", "update_id": 1],
        ]
    }

    private func error(_ status: Int, _ label: String, _ message: String, _ outcome: FakeOutcome) -> FakeReply {
        .json(status, ["label": .string(label), "message": .string(message)], outcome, code: label)
    }

    func rateLimited(in context: FakeExchangeContext) -> FakeReply {
        error(429, "TOO_MANY_REQUESTS", "Request Rate Limit Exceeded", .rateLimited)
    }

    func internalError(status: Int, in context: FakeExchangeContext) -> FakeReply {
        error(status, "SERVER_ERROR", "Internal server error", .down)
    }
}
