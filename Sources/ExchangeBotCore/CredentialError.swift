/// Why an exchange refused a key, in terms a user can act on.
///
/// Exchange adapters map each exchange's own error codes into these. No case carries a secret; the free-text
/// details are short descriptions written by the adapter, never raw response bodies.
public enum CredentialError: Error, Sendable, Hashable {
    case invalidAPIKey
    /// The exchange refused the key without saying whether the key or its IP whitelist is at fault (Binance -2015).
    case invalidKeyOrIP
    /// The exchange refused key and secret together without saying which (Coinbase's JWT 401).
    case authenticationFailed
    case invalidSecret
    case invalidPassphrase
    case ipNotWhitelisted
    /// The exchange rejected our timestamp even after correcting for its clock.
    case clockSkew
    case tradePermissionMissing
    /// The key lacks a permission needed to check it (reading the account or its own permissions).
    case permissionDenied
    /// The key can withdraw funds and `ALLOW_WITHDRAW_KEYS` is off.
    case withdrawalEnabled
    /// The exchange does not say whether the key can withdraw, and `UNKNOWN_WITHDRAW_POLICY=refuse`.
    case withdrawalUnknown
    case exchangeUnavailable(String)
    case rateLimited
    case timeout
    case unexpectedResponse(String)
    /// `EXCHANGE_SANDBOX=true` but the exchange has no official testnet.
    case sandboxUnavailable(ExchangeID)

    /// A stable machine-readable code.
    public var code: String {
        switch self {
        case .invalidAPIKey: "invalid_api_key"
        case .invalidKeyOrIP: "invalid_api_key_or_ip"
        case .authenticationFailed: "authentication_failed"
        case .invalidSecret: "invalid_secret"
        case .invalidPassphrase: "invalid_passphrase"
        case .ipNotWhitelisted: "ip_not_whitelisted"
        case .clockSkew: "clock_skew"
        case .tradePermissionMissing: "trade_permission_missing"
        case .permissionDenied: "permission_denied"
        case .withdrawalEnabled: "withdrawal_enabled"
        case .withdrawalUnknown: "withdrawal_unknown"
        case .exchangeUnavailable: "exchange_unavailable"
        case .rateLimited: "exchange_rate_limited"
        case .timeout: "exchange_timeout"
        case .unexpectedResponse: "exchange_unexpected_response"
        case .sandboxUnavailable: "sandbox_unavailable"
        }
    }

    /// What to tell the user.
    public var message: String {
        switch self {
        case .invalidAPIKey:
            "The exchange does not know this API key. Check that you copied the whole key and that it was not deleted."
        case .invalidKeyOrIP:
            "The exchange refused this key: either the key is wrong, or it is restricted to IP addresses that do not "
                + "include our server's. Check the key and its IP whitelist."
        case .authenticationFailed:
            "The exchange refused this key and secret. Copy both again, completely."
        case .invalidSecret:
            "The API secret does not match this key (the exchange rejected the signature). Copy the secret again."
        case .invalidPassphrase:
            "The passphrase is wrong. It is the one you chose when you created the API key, not your login password."
        case .ipNotWhitelisted:
            "The key is restricted to IP addresses that do not include ours. Add our server's IP to the key's whitelist."
        case .clockSkew:
            "The exchange rejected the request time even after correcting for its clock. Try again in a minute."
        case .tradePermissionMissing:
            "The key cannot trade. Enable trading (spot) permission for it on the exchange."
        case .permissionDenied:
            "The key lacks a permission we need to check it. Enable reading (and trading) for this key."
        case .withdrawalEnabled:
            "The key can withdraw funds. Create a key without withdrawal permission: we never need it."
        case .withdrawalUnknown:
            "The exchange does not tell whether this key can withdraw funds, and we only accept keys known not to. "
                + "Use a key whose permissions the exchange reports (on Gate, give it the read permission for the "
                + "account)."
        case .exchangeUnavailable(let detail):
            "The exchange is unavailable right now (\(detail)). Try again later."
        case .rateLimited:
            "The exchange is limiting our requests right now. Try again in a minute."
        case .timeout:
            "The exchange did not answer in time. Try again later."
        case .unexpectedResponse(let detail):
            "The exchange gave an answer we could not read (\(detail)). Try again later."
        case .sandboxUnavailable(let exchange):
            "\(exchange.displayName) has no official testnet; sandbox mode cannot check its keys."
        }
    }
}
