import ExchangeBotCore
import ExchangeSigning
import Foundation

/// KuCoin: `GET /api/v1/user/api-key` reports the key's `permission` ("General,Spot,Transfer") and `ipWhitelist`.
/// Answers are `{"code": "200000", "data": {…}}`; errors carry another `code` (400003 unknown key, …).
struct KuCoinAdapter: ExchangeAdapter {
    var exchange: ExchangeID { .kucoin }

    func permissionRequest(sandbox: Bool, nonce: UInt64) -> ExchangeRequest {
        ExchangeRequest(method: "GET", path: "/api/v1/user/api-key")
    }

    func interpret(_ response: ExchangeHTTPResponse, credentials: Credentials, nonce: UInt64) -> Interpretation {
        guard let body = Answer.object(response), let code = Answer.int(body["code"]) else {
            return .refused(Answer.generic(response))
        }
        guard code == 200000 else { return .refused(Self.error(code: code, status: response.status)) }
        guard let data = body["data"] as? [String: Any], let permission = data["permission"] as? String else {
            return Answer.malformed("KuCoin api-key")
        }
        let permissions = permission.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let whitelist = ((data["ipWhitelist"] as? String) ?? "").trimmingCharacters(in: .whitespaces)
        return .report(
            ValidationReport(
                canTrade: permissions.contains("Spot"),
                canWithdraw: permissions.contains("Transfer") || permissions.contains("Withdrawal"),
                ipRestricted: !whitelist.isEmpty,
                accountType: Answer.bool(data["isMaster"]) == false ? "SUB_ACCOUNT" : nil,
                permissions: permissions
            )
        )
    }

    static func error(code: Int, status: Int) -> CredentialError {
        switch code {
        case 400003, 400001: .invalidAPIKey
        case 400004: .invalidPassphrase
        case 400005: .invalidSecret
        case 400002: .clockSkew
        case 400006: .ipNotWhitelisted
        case 400007, 411100, 400008: .permissionDenied
        case 429000, 200002: .rateLimited
        default: status >= 500 ? .exchangeUnavailable("HTTP \(status)") : .unexpectedResponse("KuCoin error \(code)")
        }
    }

    var serverTimeRequest: ExchangeRequest { ExchangeRequest(method: "GET", path: "/api/v1/timestamp") }

    func serverTime(from response: ExchangeHTTPResponse) -> Date? {
        Answer.milliseconds(Answer.object(response)?["data"])
    }
}
