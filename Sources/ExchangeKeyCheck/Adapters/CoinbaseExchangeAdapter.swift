import ExchangeBotCore
import ExchangeSigning
import Foundation

/// Coinbase Exchange (the old "Pro" API): no endpoint reports a key's scopes, so `GET /accounts` proves key,
/// secret and passphrase and the report says the scopes are unknown. Errors are `{"message": "…"}`.
struct CoinbaseExchangeAdapter: ExchangeAdapter {
    var exchange: ExchangeID { .coinbaseexchange }

    func permissionRequest(sandbox: Bool, nonce: UInt64) -> ExchangeRequest {
        ExchangeRequest(method: "GET", path: "/accounts")
    }

    func interpret(_ response: ExchangeHTTPResponse, credentials: Credentials, nonce: UInt64) -> Interpretation {
        if let message = (Answer.object(response)?["message"] as? String)?.lowercased() {
            return .refused(Self.error(message: message, status: response.status))
        }
        guard (200..<300).contains(response.status), let accounts = response.json as? [[String: Any]] else {
            return .refused(Answer.generic(response))
        }
        // Accounts carry `trading_enabled`; a key's own scopes are not reported.
        let trading = accounts.compactMap { Answer.bool($0["trading_enabled"]) }
        return .report(
            ValidationReport(
                canTrade: trading.isEmpty ? nil : trading.contains(true),
                warnings: [
                    "Coinbase Exchange does not report a key's permissions: make sure it has View and Trade only, "
                        + "without Transfer."
                ]
            )
        )
    }

    static func error(message: String, status: Int) -> CredentialError {
        if message.contains("passphrase") { return .invalidPassphrase }
        if message.contains("signature") { return .invalidSecret }
        if message.contains("timestamp") { return .clockSkew }
        if message.contains("whitelist") || message.hasPrefix("ip ") || message.contains("ip address") {
            return .ipNotWhitelisted
        }
        if message.contains("api key") || message.contains("unauthorized") { return .invalidAPIKey }
        if message.contains("rate limit") { return .rateLimited }
        if message.contains("forbidden") || message.contains("permission") { return .permissionDenied }
        return status >= 500
            ? .exchangeUnavailable("HTTP \(status)") : .unexpectedResponse("Coinbase Exchange HTTP \(status)")
    }

    var serverTimeRequest: ExchangeRequest { ExchangeRequest(method: "GET", path: "/time") }

    func serverTime(from response: ExchangeHTTPResponse) -> Date? {
        Answer.seconds(Answer.object(response)?["epoch"])
    }
}
