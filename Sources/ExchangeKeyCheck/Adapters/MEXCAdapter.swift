import ExchangeBotCore
import ExchangeSigning
import Foundation

/// MEXC spot v3: no endpoint reports a key's own scopes, so `GET /api/v3/account` proves the key and gives the
/// account-level `canTrade` / `canWithdraw`. Errors are `{"code": 700002, "msg": "…"}`.
struct MEXCAdapter: ExchangeAdapter {
    var exchange: ExchangeID { .mexc }

    func permissionRequest(sandbox: Bool, nonce: UInt64) -> ExchangeRequest {
        ExchangeRequest(method: "GET", path: "/api/v3/account")
    }

    func interpret(_ response: ExchangeHTTPResponse, credentials: Credentials, nonce: UInt64) -> Interpretation {
        guard let body = Answer.object(response) else { return .refused(Answer.generic(response)) }
        if let code = Answer.int(body["code"]), code != 0, code != 200 {
            return .refused(Self.error(code: code, status: response.status))
        }
        guard (200..<300).contains(response.status) else { return .refused(Answer.generic(response)) }
        guard body["canTrade"] != nil else { return Answer.malformed("MEXC account") }
        return .report(
            ValidationReport(
                canTrade: Answer.bool(body["canTrade"]),
                canWithdraw: Answer.bool(body["canWithdraw"]),
                accountType: body["accountType"] as? String,
                permissions: (body["permissions"] as? [String]) ?? [],
                warnings: [
                    "MEXC reports account permissions, not the key's, and not its IP binding; keys without a bound "
                        + "IP expire after 90 days."
                ]
            )
        )
    }

    static func error(code: Int, status: Int) -> CredentialError {
        switch code {
        case 700001, 10072, 401, 402: .invalidAPIKey
        case 700002, 602: .invalidSecret
        case 700003, 700005: .clockSkew
        case 700006, 406: .ipNotWhitelisted
        case 700007, 403: .permissionDenied
        case 429: .rateLimited
        default: status >= 500 ? .exchangeUnavailable("HTTP \(status)") : .unexpectedResponse("MEXC error \(code)")
        }
    }

    var serverTimeRequest: ExchangeRequest { ExchangeRequest(method: "GET", path: "/api/v3/time") }

    func serverTime(from response: ExchangeHTTPResponse) -> Date? {
        Answer.milliseconds(Answer.object(response)?["serverTime"])
    }
}
