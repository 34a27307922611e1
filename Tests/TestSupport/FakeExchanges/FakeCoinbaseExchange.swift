/// Coinbase Exchange (the old "Pro" API): `CB-ACCESS-*` headers with a plain passphrase, seconds within ±30 s,
/// base64 HMAC-SHA256 keyed with the base64-decoded secret over timestamp ‖ METHOD ‖ path?query ‖ body
/// (exchanges.md §9.2, §10).
struct FakeCoinbaseExchange: FakeExchangeRules {
    func answer(_ request: FakeHTTPRequest, in context: FakeExchangeContext) -> FakeReply {
        switch request.route {
        case "GET /time":
            return .json(
                200,
                [
                    "iso": .string(FakeClockFormats.isoMillis(context.nowMillis)),
                    "epoch": .number(Double(context.nowMillis) / 1000),
                ],
                .serverTime
            )
        case "GET /accounts":
            switch verify(request, in: context) {
            case .failure(let reply): return reply
            case .success(let account): return .json(200, accounts(account), .accepted)
            }
        default:
            return error(404, "NotFound", .notFound)
        }
    }

    private func verify(_ request: FakeHTTPRequest, in context: FakeExchangeContext) -> Result<FakeAccount, FakeReply> {
        for name in ["CB-ACCESS-KEY", "CB-ACCESS-SIGN", "CB-ACCESS-TIMESTAMP", "CB-ACCESS-PASSPHRASE"]
        where (request.header(name.lowercased()) ?? "").isEmpty {
            return .failure(error(400, "\(name) header is required", .missingCredentials))
        }
        let apiKey = request.header("cb-access-key") ?? ""
        let signature = request.header("cb-access-sign") ?? ""
        let timestampText = request.header("cb-access-timestamp") ?? ""
        let passphrase = request.header("cb-access-passphrase") ?? ""
        guard let registered = context.account(apiKey) else {
            return .failure(error(401, "Invalid API Key", .unknownKey))
        }
        guard registered.account.passphrase == passphrase else {
            return .failure(error(401, "Invalid Passphrase", .wrongPassphrase))
        }
        guard registered.account.ipAllowed else {
            return .failure(error(403, "IP address not allowed for this API key", .ipRefused))
        }
        guard let timestamp = Double(timestampText), abs(context.nowSeconds - timestamp) <= 30 else {
            return .failure(error(401, "request timestamp expired", .staleTimestamp))
        }
        let message = Array((timestampText + request.method + request.pathWithQuery).utf8) + request.body
        guard let key = registered.hmacKey,
            FakeCrypto.constantTimeEqual(
                Array(FakeCrypto.base64(FakeCrypto.hmacSHA256(key: key, message: message)).utf8),
                Array(signature.utf8)
            )
        else {
            return .failure(error(401, "invalid signature", .badSignature))
        }
        return .success(registered.account)
    }

    private func accounts(_ account: FakeAccount) -> FakeJSON {
        let profile = "8058d771-2d88-4f0f-ab6e-299c153d4308"
        return [
            [
                "id": "71452118-efc7-4cc4-8780-a5e22d4baa53",
                "currency": "BTC",
                "balance": "0.0000000000000000",
                "hold": "0.0000000000000000",
                "available": "0",
                "profile_id": .string(profile),
                "trading_enabled": .bool(account.canTrade),
                "pending_deposit": "0",
                "display_name": .null,
            ],
            [
                "id": "e316cb9a-0808-4fd7-8914-97829c1925de",
                "currency": "USD",
                "balance": "0.0000000000000000",
                "hold": "0.0000000000000000",
                "available": "0",
                "profile_id": .string(profile),
                "trading_enabled": .bool(account.canTrade),
                "pending_deposit": "0",
                "display_name": .null,
            ],
        ]
    }

    private func error(_ status: Int, _ message: String, _ outcome: FakeOutcome) -> FakeReply {
        .json(status, ["message": .string(message)], outcome, code: message)
    }

    func rateLimited(in context: FakeExchangeContext) -> FakeReply {
        error(429, "Private rate limit exceeded", .rateLimited)
    }

    func internalError(status: Int, in context: FakeExchangeContext) -> FakeReply {
        error(status, "Internal server error", .down)
    }
}
