import ExchangeBotCore
import ExchangeSigning
import Foundation

/// Binance spot: `GET /sapi/v1/account/apiRestrictions` reports the key's own scopes (`enableWithdrawals`,
/// `enableSpotAndMarginTrading`, `ipRestrict`). The testnet has no `/sapi`, so sandbox mode reads the
/// account-level flags of `GET /api/v3/account` instead. Errors are `{"code": -2015, "msg": "…"}`.
struct BinanceAdapter: ExchangeAdapter {
    var exchange: ExchangeID { .binance }

    func permissionRequest(sandbox: Bool, nonce: UInt64) -> ExchangeRequest {
        ExchangeRequest(method: "GET", path: sandbox ? "/api/v3/account" : "/sapi/v1/account/apiRestrictions")
    }

    func interpret(_ response: ExchangeHTTPResponse, credentials: Credentials, nonce: UInt64) -> Interpretation {
        guard let body = Answer.object(response) else { return .refused(Answer.generic(response)) }
        if let code = Answer.int(body["code"]), code < 0 {
            return .refused(Self.error(code: code, status: response.status))
        }
        guard (200..<300).contains(response.status) else { return .refused(Answer.generic(response)) }
        if body["enableWithdrawals"] != nil {
            let flags = body.compactMap { key, value in
                key.hasPrefix("enable") || key == "permitsUniversalTransfer"
                    ? (Answer.bool(value) == true ? key : nil) : nil
            }
            return .report(
                ValidationReport(
                    canTrade: Answer.bool(body["enableSpotAndMarginTrading"]),
                    canWithdraw: Answer.bool(body["enableWithdrawals"]),
                    ipRestricted: Answer.bool(body["ipRestrict"]),
                    permissions: flags.sorted()
                )
            )
        }
        if body["canTrade"] != nil {
            return .report(
                ValidationReport(
                    canTrade: Answer.bool(body["canTrade"]),
                    canWithdraw: Answer.bool(body["canWithdraw"]),
                    accountType: body["accountType"] as? String,
                    permissions: (body["permissions"] as? [String]) ?? [],
                    warnings: ["Binance testnet reports account permissions, not the key's."]
                )
            )
        }
        return Answer.malformed("Binance permissions")
    }

    static func error(code: Int, status: Int) -> CredentialError {
        switch code {
        case -2014: .invalidAPIKey
        case -2015: .invalidKeyOrIP
        case -1022: .invalidSecret
        case -1021: .clockSkew
        case -1002: .permissionDenied
        case -1003, -1015: .rateLimited
        default: status >= 500 ? .exchangeUnavailable("HTTP \(status)") : .unexpectedResponse("Binance error \(code)")
        }
    }

    var serverTimeRequest: ExchangeRequest { ExchangeRequest(method: "GET", path: "/api/v3/time") }

    func serverTime(from response: ExchangeHTTPResponse) -> Date? {
        Answer.milliseconds(Answer.object(response)?["serverTime"])
    }
}
