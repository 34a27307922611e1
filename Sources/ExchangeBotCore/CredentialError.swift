/// Why an exchange refused a key, in terms a user can act on.
///
/// Exchange adapters map each exchange's own error codes into these. No case carries a secret; the free-text
/// details are short descriptions written by the adapter, never raw response bodies.
public enum CredentialError: Error, Sendable, Equatable {
    case invalidAPIKey
    case invalidSecret
    case invalidPassphrase
    case ipNotWhitelisted
    /// The exchange rejected our timestamp even after correcting for its clock.
    case clockSkew
    case tradePermissionMissing
    /// The key can withdraw funds and `ALLOW_WITHDRAW_KEYS` is off.
    case withdrawalEnabled
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
        case .invalidSecret: "invalid_secret"
        case .invalidPassphrase: "invalid_passphrase"
        case .ipNotWhitelisted: "ip_not_whitelisted"
        case .clockSkew: "clock_skew"
        case .tradePermissionMissing: "trade_permission_missing"
        case .withdrawalEnabled: "withdrawal_enabled"
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
        case .withdrawalEnabled:
            "The key can withdraw funds. Create a key without withdrawal permission: we never need it."
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
