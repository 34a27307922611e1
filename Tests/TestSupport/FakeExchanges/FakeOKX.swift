/// OKX V5: `OK-ACCESS-*` headers with a plain passphrase, ISO-8601 millisecond timestamps within ±30 s, base64
/// HMAC-SHA256 over timestamp ‖ METHOD ‖ path?query ‖ body (exchanges.md §4, §10).
struct FakeOKX: FakeExchangeRules {
    func answer(_ request: FakeHTTPRequest, in context: FakeExchangeContext) -> FakeReply {
        switch request.route {
        case "GET /api/v5/public/time":
            return .json(
                200,
                ["code": "0", "data": [["ts": .string(String(context.nowMillis))]], "msg": ""],
                .serverTime
            )
        case "GET /api/v5/account/config":
            switch verify(request, in: context) {
            case .failure(let reply): return reply
            case .success(let account):
                return .json(200, ["code": "0", "data": [config(account)], "msg": ""], .accepted)
            }
        default:
            return .notFound
        }
    }

    private func verify(_ request: FakeHTTPRequest, in context: FakeExchangeContext) -> Result<FakeAccount, FakeReply> {
        let required = [
            ("ok-access-key", "50103", "Request header \"OK-ACCESS-KEY\" cannot be empty."),
            ("ok-access-passphrase", "50104", "Request header \"OK-ACCESS-PASSPHRASE\" cannot be empty."),
            ("ok-access-sign", "50106", "Request header \"OK-ACCESS-SIGN\" cannot be empty."),
            ("ok-access-timestamp", "50107", "Request header \"OK-ACCESS-TIMESTAMP\" cannot be empty."),
        ]
        for (name, code, message) in required where (request.header(name) ?? "").isEmpty {
            return .failure(error(401, code, message, .missingCredentials))
        }
        let apiKey = request.header("ok-access-key") ?? ""
        let passphrase = request.header("ok-access-passphrase") ?? ""
        let signature = request.header("ok-access-sign") ?? ""
        let timestampText = request.header("ok-access-timestamp") ?? ""
        guard let registered = context.account(apiKey), let key = registered.hmacKey else {
            return .failure(error(401, "50111", "Invalid OK-ACCESS-KEY.", .unknownKey))
        }
        guard registered.account.passphrase == passphrase else {
            return .failure(
                error(401, "50105", "Request header \"OK-ACCESS-PASSPHRASE\" incorrect.", .wrongPassphrase)
            )
        }
        guard registered.account.ipAllowed else {
            return .failure(
                error(
                    401,
                    "50110",
                    "Your IP \(context.clientIP) is not included in your API key's IP whitelist.",
                    .ipRefused
                )
            )
        }
        guard let timestamp = FakeClockFormats.parseISOMillis(timestampText) else {
            return .failure(error(401, "50112", "Invalid OK-ACCESS-TIMESTAMP.", .staleTimestamp))
        }
        guard abs(context.nowMillis - timestamp) <= 30_000 else {
            return .failure(error(401, "50102", "Timestamp request expired.", .staleTimestamp))
        }
        let message = Array((timestampText + request.method + request.pathWithQuery).utf8) + request.body
        let expected = FakeCrypto.base64(FakeCrypto.hmacSHA256(key: key, message: message))
        guard FakeCrypto.constantTimeEqual(Array(expected.utf8), Array(signature.utf8)) else {
            return .failure(error(401, "50113", "Invalid signature.", .badSignature))
        }
        return .success(registered.account)
    }

    private func config(_ account: FakeAccount) -> FakeJSON {
        let perm = ["read_only"] + (account.canTrade ? ["trade"] : []) + (account.canWithdraw ? ["withdraw"] : [])
        return [
            "acctLv": "2",
            "acctStpMode": "cancel_maker",
            "autoLoan": false,
            "ctIsoMode": "automatic",
            "enableSpotBorrow": false,
            "greeksType": "PA",
            "ip": .string(account.ipRestricted ? "127.0.0.1" : ""),
            "kycLv": "2",
            "label": "fake",
            "level": "Lv1",
            "levelTmp": "",
            "liquidationGear": "-1",
            "mainUid": "44705892343619584",
            "mgnIsoMode": "automatic",
            "opAuth": "0",
            "perm": .string(perm.joined(separator: ",")),
            "posMode": "net_mode",
            "roleType": "0",
            "spotBorrowAutoRepay": false,
            "spotOffsetType": "",
            "spotRoleType": "0",
            "spotTraderInsts": [],
            "traderInsts": [],
            "type": "0",
            "uid": "44705892343619584",
        ]
    }

    private func error(_ status: Int, _ code: String, _ message: String, _ outcome: FakeOutcome) -> FakeReply {
        .json(status, ["code": .string(code), "msg": .string(message), "data": []], outcome, code: code)
    }

    func rateLimited(in context: FakeExchangeContext) -> FakeReply {
        error(429, "50011", "Too Many Requests", .rateLimited)
    }

    func internalError(status: Int, in context: FakeExchangeContext) -> FakeReply {
        error(status, "50001", "Service temporarily unavailable. Please try again later.", .down)
    }
}
