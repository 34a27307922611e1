import Foundation

/// The exchanges the product supports, with CCXT's ids as stored in `user_exchanges.exchange_name`.
public enum ExchangeID: String, CaseIterable, Codable, Sendable {
    case binance
    case bybit
    case okx
    case gate
    case mexc
    case kucoin
    /// Coinbase Advanced Trade: a CDP key name and an EC private key (PEM), signed as ES256 JWTs.
    case coinbase
    /// Coinbase Exchange, the old "Pro" API: HMAC with a base64 secret and a passphrase.
    case coinbaseexchange
    case kraken

    /// Parses an id as a user or the Python side may write it: any case, surrounding spaces, and the aliases
    /// `gateio` → `gate` and `coinbasepro` → `coinbaseexchange`.
    public init?(normalizing text: String) {
        let id = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        switch id {
        case "gateio": self = .gate
        case "coinbasepro": self = .coinbaseexchange
        default: self.init(rawValue: id)
        }
    }

    /// Every id a stored row may use for this exchange: its own and its alias.
    public var storedNames: [String] {
        switch self {
        case .gate: [rawValue, "gateio"]
        case .coinbaseexchange: [rawValue, "coinbasepro"]
        default: [rawValue]
        }
    }

    /// The name users see (also the caption of the exchange's button in the bot).
    public var displayName: String {
        switch self {
        case .binance: "Binance"
        case .bybit: "Bybit"
        case .okx: "OKX"
        case .gate: "Gate"
        case .mexc: "MEXC"
        case .kucoin: "KuCoin"
        case .coinbase: "Coinbase"
        case .coinbaseexchange: "Coinbase Exchange"
        case .kraken: "Kraken"
        }
    }

    /// Whether the exchange's keys come with a passphrase chosen at key creation.
    public var requiresPassphrase: Bool {
        switch self {
        case .okx, .kucoin, .coinbaseexchange: true
        default: false
        }
    }

    /// Whether the secret is a PEM private key (multi-line, longer than the 500-character column the seed used).
    public var secretIsPEM: Bool { self == .coinbase }
}
