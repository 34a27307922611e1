import ExchangeBotCore
import ExchangeSigning
import Foundation

/// Coinbase Advanced Trade (CDP keys, ES256 JWTs): `GET /api/v3/brokerage/key_permissions` reports `can_trade` and
/// `can_transfer`. A bad JWT is a bare 401, which cannot tell a wrong key name from a wrong private key.
struct CoinbaseAdapter: ExchangeAdapter {
    var exchange: ExchangeID { .coinbase }

    func permissionRequest(sandbox: Bool, nonce: UInt64) -> ExchangeRequest {
        ExchangeRequest(method: "GET", path: "/api/v3/brokerage/key_permissions")
    }

    func interpret(_ response: ExchangeHTTPResponse, credentials: Credentials, nonce: UInt64) -> Interpretation {
        let body = Answer.object(response)
        if response.status == 401 {
            let text = String(decoding: response.body.prefix(300), as: UTF8.self).lowercased()
            return .refused(text.contains("expired") || text.contains("nbf") ? .clockSkew : .authenticationFailed)
        }
        if let error = body?["error"] as? String {
            switch error.uppercased() {
            case "PERMISSION_DENIED": return .refused(.permissionDenied)
            case "RATE_LIMIT_EXCEEDED", "RESOURCE_EXHAUSTED": return .refused(.rateLimited)
            case "UNAUTHORIZED", "INVALID_TOKEN", "AUTHENTICATION_ERROR": return .refused(.authenticationFailed)
            case "EXPIRED_TOKEN": return .refused(.clockSkew)
            default: break
            }
        }
        guard (200..<300).contains(response.status), let body else { return .refused(Answer.generic(response)) }
        guard body["can_trade"] != nil else { return Answer.malformed("Coinbase key_permissions") }
        let flags = ["can_view", "can_trade", "can_transfer"].filter { Answer.bool(body[$0]) == true }
        return .report(
            ValidationReport(
                canTrade: Answer.bool(body["can_trade"]),
                canWithdraw: Answer.bool(body["can_transfer"]),
                accountType: body["portfolio_type"] as? String,
                permissions: flags
            )
        )
    }

    var serverTimeRequest: ExchangeRequest { ExchangeRequest(method: "GET", path: "/api/v3/brokerage/time") }

    func serverTime(from response: ExchangeHTTPResponse) -> Date? {
        Answer.seconds(Answer.object(response)?["epochSeconds"])
    }
}
