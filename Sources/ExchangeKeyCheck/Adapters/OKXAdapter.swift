import ExchangeBotCore
import ExchangeSigning
import Foundation

/// OKX V5: `GET /api/v5/account/config` reports the key's `perm` ("read_only,trade,withdraw") and bound `ip`.
/// Demo trading uses the same host with `x-simulated-trading: 1`. Answers are `{"code": "0", "data": […]}`.
struct OKXAdapter: ExchangeAdapter {
    var exchange: ExchangeID { .okx }

    func permissionRequest(sandbox: Bool, nonce: UInt64) -> ExchangeRequest {
        var request = ExchangeRequest(method: "GET", path: "/api/v5/account/config")
        if sandbox { request.setHeader("x-simulated-trading", "1") }
        return request
    }

    func interpret(_ response: ExchangeHTTPResponse, credentials: Credentials, nonce: UInt64) -> Interpretation {
        guard let body = Answer.object(response), let code = Answer.int(body["code"]) else {
            return .refused(Answer.generic(response))
        }
        guard code == 0 else { return .refused(Self.error(code: code, status: response.status)) }
        guard let config = (body["data"] as? [[String: Any]])?.first, let perm = config["perm"] as? String else {
            return Answer.malformed("OKX account config")
        }
        let permissions = perm.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let ip = (config["ip"] as? String) ?? ""
        let levels = [
            "1": "SIMPLE", "2": "SINGLE_CURRENCY_MARGIN", "3": "MULTI_CURRENCY_MARGIN", "4": "PORTFOLIO_MARGIN",
        ]
        return .report(
            ValidationReport(
                canTrade: permissions.contains("trade"),
                canWithdraw: permissions.contains("withdraw"),
                ipRestricted: !ip.trimmingCharacters(in: .whitespaces).isEmpty,
                accountType: (config["acctLv"] as? String).flatMap { levels[$0] },
                permissions: permissions
            )
        )
    }

    static func error(code: Int, status: Int) -> CredentialError {
        switch code {
        case 50111, 50119, 50101, 50114, 50103: .invalidAPIKey
        case 50113, 50106: .invalidSecret
        case 50105, 50104: .invalidPassphrase
        case 50102, 50112, 50107: .clockSkew
        case 50110: .ipNotWhitelisted
        case 50120, 50030, 50035: .permissionDenied
        case 50011: .rateLimited
        case 50001, 50013: .exchangeUnavailable("OKX is busy")
        default: status >= 500 ? .exchangeUnavailable("HTTP \(status)") : .unexpectedResponse("OKX error \(code)")
        }
    }

    var serverTimeRequest: ExchangeRequest { ExchangeRequest(method: "GET", path: "/api/v5/public/time") }

    func serverTime(from response: ExchangeHTTPResponse) -> Date? {
        Answer.milliseconds(((Answer.object(response)?["data"] as? [[String: Any]])?.first)?["ts"])
    }
}
