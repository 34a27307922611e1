import Foundation

/// Kraken spot: `API-Key`/`API-Sign` headers, base64 HMAC-SHA512 keyed with the base64-decoded secret over
/// path ‖ SHA256(nonce ‖ body), a strictly increasing nonce per key, and errors as HTTP 200 with an `error` list
/// (exchanges.md §8, §10).
struct FakeKraken: FakeExchangeRules {
    /// Accepts a JSON `nonce` given as a number or as a string, keeping its text as sent.
    private struct JSONNonce: Decodable {
        var nonce: String

        private enum CodingKeys: String, CodingKey { case nonce }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            if let number = try? container.decode(UInt64.self, forKey: .nonce) {
                nonce = String(number)
            } else {
                nonce = try container.decode(String.self, forKey: .nonce)
            }
        }
    }

    func answer(_ request: FakeHTTPRequest, in context: FakeExchangeContext) -> FakeReply {
        switch request.route {
        case "GET /0/public/Time", "POST /0/public/Time":
            let result: FakeJSON = [
                "unixtime": .integer(context.nowMillis / 1000),
                "rfc1123": .string(FakeClockFormats.krakenRFC1123(context.nowMillis)),
            ]
            return .json(200, ["error": [], "result": result], .serverTime)
        case "POST /0/private/GetApiKeyInfo":
            switch verify(request, in: context) {
            case .failure(let reply): return reply
            case .success(let (account, nonce)):
                return .json(200, ["error": [], "result": apiKeyInfo(account, nonce: nonce, context)], .accepted)
            }
        default:
            var reply = error("EGeneral:Unknown method", .notFound)
            reply.status = 404
            return reply
        }
    }

    private func verify(
        _ request: FakeHTTPRequest,
        in context: FakeExchangeContext
    ) -> Result<(FakeAccount, UInt64), FakeReply> {
        guard let apiKey = request.header("api-key"), !apiKey.isEmpty, let registered = context.account(apiKey)
        else {
            return .failure(error("EAPI:Invalid key", .unknownKey))
        }
        guard registered.account.ipAllowed else {
            return .failure(error("EGeneral:Permission denied", .ipRefused))
        }
        guard let nonceText = nonce(in: request), let nonce = UInt64(nonceText) else {
            return .failure(error("EAPI:Invalid nonce", .missingCredentials))
        }
        guard nonce > context.lastNonce(apiKey) else {
            return .failure(error("EAPI:Invalid nonce", .reusedNonce))
        }
        let message = Array(request.path.utf8) + FakeCrypto.sha256(Array(nonceText.utf8) + request.body)
        guard let key = registered.hmacKey, let signature = request.header("api-sign"),
            FakeCrypto.constantTimeEqual(
                Array(FakeCrypto.base64(FakeCrypto.hmacSHA512(key: key, message: message)).utf8),
                Array(signature.utf8)
            )
        else {
            return .failure(error("EAPI:Invalid signature", .badSignature))
        }
        // Record the nonce only once the signature holds, so forged requests cannot burn a key's nonces.
        guard context.acceptNonce(nonce, for: apiKey) else {
            return .failure(error("EAPI:Invalid nonce", .reusedNonce))
        }
        return .success((registered.account, nonce))
    }

    /// The nonce's text as sent: from a JSON body, or the `nonce` field of a form body.
    private func nonce(in request: FakeHTTPRequest) -> String? {
        if request.header("content-type")?.lowercased().hasPrefix("application/json") == true {
            return (try? JSONDecoder().decode(JSONNonce.self, from: Data(request.body)))?.nonce
        }
        let field = request.bodyText.split(separator: "&").first { $0.hasPrefix("nonce=") }
        return field.flatMap { String($0.dropFirst("nonce=".count)).removingPercentEncoding }
    }

    private func apiKeyInfo(_ account: FakeAccount, nonce: UInt64, _ context: FakeExchangeContext) -> FakeJSON {
        let permissions =
            ["query-funds", "query-open-trades", "query-closed-trades", "query-ledger-entries"]
            + (account.canTrade ? ["modify-trades"] : []) + (account.canWithdraw ? ["withdraw-funds"] : [])
        return [
            "apiKeyName": "fake",
            "apiKey": .string(account.apiKey),
            "nonce": .string(String(nonce)),
            "nonceWindow": 0,
            "permissions": .strings(permissions),
            "iban": "AA00 N84G 5ZKZ 2RYS",
            "validUntil": "0",
            "queryFrom": "0",
            "queryTo": "0",
            "createdTime": "1700000000",
            "modifiedTime": "1700000000",
            "ipAllowlist": .strings(account.ipRestricted ? ["127.0.0.1"] : []),
            "lastUsed": .string(String(context.nowMillis / 1000)),
        ]
    }

    /// Kraken reports errors in the body and keeps HTTP 200.
    private func error(_ message: String, _ outcome: FakeOutcome) -> FakeReply {
        .json(200, ["error": [.string(message)]], outcome, code: message)
    }

    func rateLimited(in context: FakeExchangeContext) -> FakeReply {
        error("EAPI:Rate limit exceeded", .rateLimited)
    }

    func internalError(status: Int, in context: FakeExchangeContext) -> FakeReply {
        var reply = error("EService:Unavailable", .down)
        reply.status = status
        return reply
    }
}
