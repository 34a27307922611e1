import ExchangeBotCore
import ExchangeSigning
import Foundation

/// Bybit V5: `GET /v5/user/query-api` ("any permission can access") reports `readOnly`, the permission groups and
/// the bound `ips` (`["*"]` = none). Answers are `{"retCode": 0, "retMsg": "OK", "result": {…}}`, errors mostly with
/// HTTP 200 and a non-zero `retCode`.
struct BybitAdapter: ExchangeAdapter {
    var exchange: ExchangeID { .bybit }

    func permissionRequest(sandbox: Bool, nonce: UInt64) -> ExchangeRequest {
        ExchangeRequest(method: "GET", path: "/v5/user/query-api")
    }

    func interpret(_ response: ExchangeHTTPResponse, credentials: Credentials, nonce: UInt64) -> Interpretation {
        guard let body = Answer.object(response), let code = Answer.int(body["retCode"]) else {
            return .refused(response.status == 401 ? .authenticationFailed : Answer.generic(response))
        }
        guard code == 0 else { return .refused(Self.error(code: code, status: response.status)) }
        guard let result = body["result"] as? [String: Any], let groups = result["permissions"] as? [String: Any] else {
            return Answer.malformed("Bybit query-api")
        }
        let permissions = groups.reduce(into: [String: [String]]()) { $0[$1.key] = $1.value as? [String] ?? [] }
        let readOnly = Answer.int(result["readOnly"]) == 1
        let trades = ["Spot", "ContractTrade", "Derivatives", "Options"].contains { !(permissions[$0] ?? []).isEmpty }
        let ips = (result["ips"] as? [String]) ?? []
        return .report(
            ValidationReport(
                canTrade: !readOnly && trades,
                canWithdraw: (permissions["Wallet"] ?? []).contains("Withdraw"),
                ipRestricted: !(ips.isEmpty || ips.contains("*")),
                accountType: Answer.int(result["uta"]) == 1 ? "UNIFIED" : "CLASSIC",
                permissions: permissions.sorted { $0.key < $1.key }.flatMap { group, names in
                    names.map { "\(group).\($0)" }
                }
            )
        )
    }

    static func error(code: Int, status: Int) -> CredentialError {
        switch code {
        case 10003, 33004, 10007: .invalidAPIKey
        case 10004: .invalidSecret
        case 10002: .clockSkew
        case 10010: .ipNotWhitelisted
        case 10005: .permissionDenied
        case 10006, 10018: .rateLimited
        default: status >= 500 ? .exchangeUnavailable("HTTP \(status)") : .unexpectedResponse("Bybit error \(code)")
        }
    }

    var serverTimeRequest: ExchangeRequest { ExchangeRequest(method: "GET", path: "/v5/market/time") }

    func serverTime(from response: ExchangeHTTPResponse) -> Date? {
        Answer.milliseconds(Answer.object(response)?["time"])
    }
}
