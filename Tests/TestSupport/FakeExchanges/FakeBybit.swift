/// Bybit V5: `X-BAPI-*` headers, hex HMAC-SHA256 over timestamp ‖ key ‖ recvWindow ‖ query-or-body, errors as
/// HTTP 200 with a `retCode` (exchanges.md §3, §10).
struct FakeBybit: FakeExchangeRules {
    func answer(_ request: FakeHTTPRequest, in context: FakeExchangeContext) -> FakeReply {
        switch request.route {
        case "GET /v5/market/time":
            let seconds = context.nowMillis / 1000
            return .json(
                200,
                envelope(
                    0,
                    "OK",
                    [
                        "timeSecond": .string(String(seconds)),
                        "timeNano": .string(String(context.nowMillis * 1_000_000)),
                    ],
                    context
                ),
                .serverTime
            )
        case "GET /v5/user/query-api":
            switch verify(request, in: context) {
            case .failure(let reply): return reply
            case .success(let account): return .json(200, envelope(0, "", apiKeyInfo(account), context), .accepted)
            }
        default:
            return .notFound
        }
    }

    private func verify(_ request: FakeHTTPRequest, in context: FakeExchangeContext) -> Result<FakeAccount, FakeReply> {
        guard let apiKey = request.header("x-bapi-api-key"), !apiKey.isEmpty,
            let registered = context.account(apiKey), let key = registered.hmacKey
        else {
            return .failure(
                error(
                    10003,
                    "API key is invalid. Check whether the key and domain are matched, there are 4 env: mainnet, "
                        + "testnet, mainnet-demo, testnet-demo",
                    .unknownKey,
                    context
                )
            )
        }
        guard registered.account.ipAllowed else {
            return .failure(
                error(10010, "Unmatched IP, please check your API key's bound IP addresses.", .ipRefused, context)
            )
        }
        guard let timestampText = request.header("x-bapi-timestamp"), let signature = request.header("x-bapi-sign")
        else {
            return .failure(error(10007, "User authentication failed.", .missingCredentials, context))
        }
        let recvWindowText = request.header("x-bapi-recv-window") ?? "5000"
        guard let timestamp = Int64(timestampText), let recvWindow = Int64(recvWindowText),
            context.nowMillis - recvWindow <= timestamp, timestamp < context.nowMillis + 1000
        else {
            return .failure(
                error(
                    10002,
                    "invalid request, please check your server timestamp or recv_window param. "
                        + "req_timestamp[\(timestampText)],server_timestamp[\(context.nowMillis)],"
                        + "recv_window[\(recvWindowText)]",
                    .staleTimestamp,
                    context
                )
            )
        }
        let payload = request.method == "GET" ? Array(request.rawQuery.utf8) : request.body
        let message = Array((timestampText + apiKey + recvWindowText).utf8) + payload
        let expected = FakeCrypto.hex(FakeCrypto.hmacSHA256(key: key, message: message))
        guard FakeCrypto.constantTimeEqual(Array(expected.utf8), Array(signature.utf8)) else {
            return .failure(
                error(
                    10004,
                    "error sign! origin_string[\(String(decoding: message, as: UTF8.self))]",
                    .badSignature,
                    context
                )
            )
        }
        return .success(registered.account)
    }

    private func apiKeyInfo(_ account: FakeAccount) -> FakeJSON {
        let readOnly = !(account.canTrade || account.canWithdraw)
        return [
            "id": "13770661",
            "note": "fake",
            "apiKey": .string(account.apiKey),
            "readOnly": .integer(readOnly ? 1 : 0),
            "secret": "",
            "permissions": [
                "ContractTrade": [],
                "Spot": .strings(account.canTrade ? ["SpotTrade"] : []),
                "Wallet": .strings(account.canWithdraw ? ["AccountTransfer", "SubMemberTransfer", "Withdraw"] : []),
                "Options": [],
                "Derivatives": [],
                "CopyTrading": [],
                "BlockTrade": [],
                "Exchange": [],
                "NFT": [],
                "Affiliate": [],
                "Earn": [],
            ],
            "ips": .strings(account.ipRestricted ? ["127.0.0.1"] : ["*"]),
            "type": 1,
            "deadlineDay": .integer(account.ipRestricted ? -1 : 89),
            "expiredAt": .string(account.ipRestricted ? "" : "2030-01-01T00:00:00Z"),
            "createdAt": "2023-11-14T22:13:20Z",
            "unified": 0,
            "uta": 1,
            "userID": 24_617_703,
            "inviterID": 0,
            "vipLevel": "No VIP",
            "mktMakerLevel": "0",
            "affiliateID": 0,
            "rsaPublicKey": "",
            "isMaster": true,
            "parentUid": "0",
            "kycLevel": "LEVEL_DEFAULT",
            "kycRegion": "",
        ]
    }

    private func envelope(_ code: Int64, _ message: String, _ result: FakeJSON, _ context: FakeExchangeContext)
        -> FakeJSON
    {
        [
            "retCode": .integer(code), "retMsg": .string(message), "result": result, "retExtInfo": [:],
            "time": .integer(context.nowMillis),
        ]
    }

    private func error(_ code: Int64, _ message: String, _ outcome: FakeOutcome, _ context: FakeExchangeContext)
        -> FakeReply
    {
        .json(200, envelope(code, message, [:], context), outcome, code: String(code))
    }

    func rateLimited(in context: FakeExchangeContext) -> FakeReply {
        var reply = error(10006, "Too many visits!", .rateLimited, context)
        reply.status = 429
        return reply
    }

    func internalError(status: Int, in context: FakeExchangeContext) -> FakeReply {
        var reply = error(10016, "Server error.", .down, context)
        reply.status = status
        return reply
    }
}
