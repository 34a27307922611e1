import ExchangeBotCore
import ExchangeSigning
import Foundation

/// Kraken spot: `POST /0/private/GetApiKeyInfo` (no permission needed) reports the key's `permissions` and
/// `ipAllowlist`. Kraken answers HTTP 200 with `{"error": ["EAPI:Invalid key"], "result": {…}}`; the nonce in the
/// body must grow with every request of a key.
struct KrakenAdapter: ExchangeAdapter {
    var exchange: ExchangeID { .kraken }

    func permissionRequest(sandbox: Bool, nonce: UInt64) -> ExchangeRequest {
        ExchangeRequest(
            method: "POST",
            path: "/0/private/GetApiKeyInfo",
            body: "nonce=\(nonce)",
            headers: [("Content-Type", "application/x-www-form-urlencoded")]
        )
    }

    func interpret(_ response: ExchangeHTTPResponse, credentials: Credentials, nonce: UInt64) -> Interpretation {
        guard let body = Answer.object(response), let errors = body["error"] as? [String] else {
            return .refused(Answer.generic(response))
        }
        if let first = errors.first { return .refused(Self.error(first, status: response.status)) }
        guard (200..<300).contains(response.status), let result = body["result"] as? [String: Any],
            let permissions = result["permissions"] as? [String]
        else { return Answer.malformed("Kraken GetApiKeyInfo") }
        let allowlist = (result["ipAllowlist"] as? [Any]) ?? []
        return .report(
            ValidationReport(
                canTrade: permissions.contains("modify-trades") || permissions.contains("create-modify-orders"),
                canWithdraw: permissions.contains("withdraw-funds"),
                ipRestricted: !allowlist.isEmpty,
                permissions: permissions
            )
        )
    }

    static func error(_ text: String, status: Int) -> CredentialError {
        switch text {
        case let error where error.hasPrefix("EAPI:Invalid key"): .invalidAPIKey
        case let error where error.hasPrefix("EAPI:Invalid signature"): .invalidSecret
        case let error where error.hasPrefix("EAPI:Invalid nonce"): .clockSkew
        case let error where error.contains("IP") || error.contains("Invalid origin"): .ipNotWhitelisted
        case let error where error.hasPrefix("EGeneral:Permission denied"): .permissionDenied
        case let error where error.contains("Rate limit") || error.contains("Temporary lockout"): .rateLimited
        case let error where error.hasPrefix("EService:"): .exchangeUnavailable("Kraken service error")
        default: status >= 500 ? .exchangeUnavailable("HTTP \(status)") : .unexpectedResponse("Kraken error")
        }
    }

    var serverTimeRequest: ExchangeRequest { ExchangeRequest(method: "GET", path: "/0/public/Time") }

    func serverTime(from response: ExchangeHTTPResponse) -> Date? {
        Answer.seconds((Answer.object(response)?["result"] as? [String: Any])?["unixtime"])
    }
}
