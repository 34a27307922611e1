/// KuCoin: `KC-API-*` headers, millisecond timestamps within ±5 s, base64 HMAC-SHA256 over
/// timestamp ‖ METHOD ‖ path?query ‖ body, and for key version 2 a passphrase HMAC'd with the secret
/// (exchanges.md §7, §10).
struct FakeKuCoin: FakeExchangeRules {
    func answer(_ request: FakeHTTPRequest, in context: FakeExchangeContext) -> FakeReply {
        switch request.route {
        case "GET /api/v1/timestamp":
            return .json(200, ["code": "200000", "msg": "success", "data": .integer(context.nowMillis)], .serverTime)
        case "GET /api/v1/user/api-key":
            switch verify(request, in: context) {
            case .failure(let reply): return reply
            case .success(let account):
                return .json(200, ["code": "200000", "data": apiKeyInfo(account, context)], .accepted)
            }
        default:
            return error(404, "404", "Not Found", .notFound)
        }
    }

    private func verify(_ request: FakeHTTPRequest, in context: FakeExchangeContext) -> Result<FakeAccount, FakeReply> {
        let names = ["kc-api-key", "kc-api-sign", "kc-api-timestamp", "kc-api-passphrase"]
        guard names.allSatisfy({ !(request.header($0) ?? "").isEmpty }) else {
            return .failure(
                error(
                    401,
                    "400001",
                    "Please check the header of your request for KC-API-KEY, KC-API-SIGN, KC-API-TIMESTAMP, "
                        + "KC-API-PASSPHRASE",
                    .missingCredentials
                )
            )
        }
        let apiKey = request.header("kc-api-key") ?? ""
        let signature = request.header("kc-api-sign") ?? ""
        let timestampText = request.header("kc-api-timestamp") ?? ""
        let passphraseHeader = request.header("kc-api-passphrase") ?? ""
        guard let registered = context.account(apiKey), let key = registered.hmacKey else {
            return .failure(error(401, "400003", "KC-API-KEY not exists", .unknownKey))
        }
        let passphrase = registered.account.passphrase ?? ""
        // Version 2 (and later) keys send the passphrase HMAC'd with the secret; version 1 keys send it plain.
        let version = Int(request.header("kc-api-key-version") ?? "1") ?? 1
        let expectedPassphrase =
            version >= 2
            ? FakeCrypto.base64(FakeCrypto.hmacSHA256(key: key, message: Array(passphrase.utf8))) : passphrase
        guard registered.account.passphrase != nil, passphraseHeader == expectedPassphrase else {
            return .failure(error(401, "400004", "KC-API-PASSPHRASE error", .wrongPassphrase))
        }
        guard registered.account.ipAllowed else {
            return .failure(
                error(401, "400006", "The requested ip address is not in the api whitelist", .ipRefused)
            )
        }
        guard let timestamp = Int64(timestampText), abs(context.nowMillis - timestamp) <= 5000 else {
            return .failure(
                error(
                    401,
                    "400002",
                    "KC-API-TIMESTAMP Invalid -- Time differs from server time by more than 5 seconds",
                    .staleTimestamp
                )
            )
        }
        let message = Array((timestampText + request.method + request.pathWithQuery).utf8) + request.body
        let expected = FakeCrypto.base64(FakeCrypto.hmacSHA256(key: key, message: message))
        guard FakeCrypto.constantTimeEqual(Array(expected.utf8), Array(signature.utf8)) else {
            return .failure(error(401, "400005", "Invalid KC-API-SIGN", .badSignature))
        }
        return .success(registered.account)
    }

    private func apiKeyInfo(_ account: FakeAccount, _ context: FakeExchangeContext) -> FakeJSON {
        let permission = ["General"] + (account.canTrade ? ["Spot"] : []) + (account.canWithdraw ? ["Transfer"] : [])
        return [
            "remark": "fake",
            "apiKey": .string(account.apiKey),
            "apiVersion": 3,
            "permission": .string(permission.joined(separator: ",")),
            "ipWhitelist": .string(account.ipRestricted ? "127.0.0.1" : ""),
            "createdAt": 1_700_000_000_000,
            "uid": 165_111_215,
            "isMaster": true,
        ]
    }

    private func error(_ status: Int, _ code: String, _ message: String, _ outcome: FakeOutcome) -> FakeReply {
        .json(status, ["code": .string(code), "msg": .string(message)], outcome, code: code)
    }

    func rateLimited(in context: FakeExchangeContext) -> FakeReply {
        error(429, "429000", "Too Many Requests", .rateLimited)
    }

    func internalError(status: Int, in context: FakeExchangeContext) -> FakeReply {
        error(status, "500000", "Internal Server Error", .down)
    }
}
