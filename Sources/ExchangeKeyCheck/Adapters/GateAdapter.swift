import ExchangeBotCore
import ExchangeSigning
import Foundation

/// Gate API v4: `GET /api/v4/account/main_keys` lists the account's keys with their `perms` and `ip_whitelist`;
/// ours is the entry whose masked `key` prefix matches. A key without the `account` permission is refused there
/// (403 FORBIDDEN), so `GET /api/v4/spot/accounts` then proves the key alone. Errors: `{"label": "…", "message": "…"}`.
struct GateAdapter: ExchangeAdapter {
    var exchange: ExchangeID { .gate }

    func permissionRequest(sandbox: Bool, nonce: UInt64) -> ExchangeRequest {
        ExchangeRequest(method: "GET", path: "/api/v4/account/main_keys")
    }

    func interpret(_ response: ExchangeHTTPResponse, credentials: Credentials, nonce: UInt64) -> Interpretation {
        if let body = Answer.object(response), let label = body["label"] as? String {
            if label == "FORBIDDEN", response.status == 403 {
                return .follow(ExchangeRequest(method: "GET", path: "/api/v4/spot/accounts", query: "currency=USDT"))
            }
            return .refused(Self.error(label: label, status: response.status))
        }
        guard (200..<300).contains(response.status), let json = response.json else {
            return .refused(Answer.generic(response))
        }
        if let keys = json as? [[String: Any]], keys.isEmpty || keys.first?["perms"] != nil {
            return report(keys, apiKey: credentials.apiKey)
        }
        if let key = json as? [String: Any], key["perms"] != nil {
            return report([key], apiKey: credentials.apiKey)
        }
        if json is [[String: Any]] {
            // The spot accounts of a key that may not read its own permissions: it works, scopes unknown.
            return .report(
                ValidationReport(warnings: ["The key cannot read its own permissions on Gate (no account permission)."])
            )
        }
        return Answer.malformed("Gate main_keys")
    }

    private func report(_ keys: [[String: Any]], apiKey: String) -> Interpretation {
        let entry =
            keys.first { entry in
                let masked = (entry["key"] as? String) ?? ""
                let prefix = masked.prefix { $0 != "*" }
                return !prefix.isEmpty && apiKey.hasPrefix(prefix)
            } ?? (keys.count == 1 ? keys[0] : nil)
        guard let entry, let perms = entry["perms"] as? [[String: Any]] else {
            return .report(ValidationReport(warnings: ["Gate did not list this key among the account's keys."]))
        }
        let writable = Set(
            perms.compactMap { perm in Answer.bool(perm["read_only"]) == false ? perm["name"] as? String : nil }
        )
        let names = perms.compactMap { perm -> String? in
            guard let name = perm["name"] as? String else { return nil }
            return Answer.bool(perm["read_only"]) == false ? name : "\(name) (read-only)"
        }
        let whitelist = (entry["ip_whitelist"] as? [String]) ?? []
        return .report(
            ValidationReport(
                canTrade: writable.contains("spot") || writable.contains("unified"),
                canWithdraw: writable.contains("withdraw") || writable.contains("wallet"),
                ipRestricted: !whitelist.isEmpty,
                accountType: Answer.int(entry["mode"]) == 2 ? "UNIFIED" : "CLASSIC",
                permissions: names.sorted()
            )
        )
    }

    static func error(label: String, status: Int) -> CredentialError {
        switch label {
        case "INVALID_KEY", "INVALID_CREDENTIALS", "MISSING_REQUIRED_HEADER": .invalidAPIKey
        case "INVALID_SIGNATURE": .invalidSecret
        case "REQUEST_EXPIRED", "INVALID_TIMESTAMP": .clockSkew
        case "IP_FORBIDDEN": .ipNotWhitelisted
        case "FORBIDDEN", "READ_ONLY", "ACCOUNT_LOCKED": .permissionDenied
        case "TOO_MANY_REQUESTS": .rateLimited
        default:
            status >= 500
                ? .exchangeUnavailable("HTTP \(status)") : .unexpectedResponse("Gate error \(ExchangeText.name(label))")
        }
    }

    var serverTimeRequest: ExchangeRequest { ExchangeRequest(method: "GET", path: "/api/v4/spot/time") }

    func serverTime(from response: ExchangeHTTPResponse) -> Date? {
        Answer.milliseconds(Answer.object(response)?["server_time"])
    }
}
