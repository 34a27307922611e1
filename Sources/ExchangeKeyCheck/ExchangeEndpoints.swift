import ExchangeBotCore
import Foundation

/// Where each exchange's API lives: production origins, official testnets, and the operator's overrides
/// (`EXCHANGE_<ID>_URL`).
public struct ExchangeEndpoints: Sendable {
    public var overrides: [ExchangeID: URL]
    public var sandbox: Bool

    public init(overrides: [ExchangeID: URL] = [:], sandbox: Bool = false) {
        self.overrides = overrides
        self.sandbox = sandbox
    }

    /// The origin to call, or `nil` when sandbox mode is on and the exchange has no official testnet.
    public func origin(for exchange: ExchangeID) -> URL? {
        if let override = overrides[exchange] { return override }
        if sandbox { return Self.testnet[exchange].flatMap { $0 } }
        return Self.production[exchange]
    }

    static let production: [ExchangeID: URL] = [
        .binance: URL(string: "https://api.binance.com")!,
        .bybit: URL(string: "https://api.bybit.com")!,
        .okx: URL(string: "https://www.okx.com")!,
        .gate: URL(string: "https://api.gateio.ws")!,
        .mexc: URL(string: "https://api.mexc.com")!,
        .kucoin: URL(string: "https://api.kucoin.com")!,
        .coinbase: URL(string: "https://api.coinbase.com")!,
        .coinbaseexchange: URL(string: "https://api.exchange.coinbase.com")!,
        .kraken: URL(string: "https://api.kraken.com")!,
    ]

    /// Official testnets. OKX's demo trading uses the production host with a header; MEXC, KuCoin (no current
    /// sandbox), Coinbase Advanced Trade (a static mock without authentication) and Kraken spot have none.
    static let testnet: [ExchangeID: URL?] = [
        .binance: URL(string: "https://testnet.binance.vision"),
        .bybit: URL(string: "https://api-testnet.bybit.com"),
        .okx: URL(string: "https://www.okx.com"),
        .gate: URL(string: "https://api-testnet.gateapi.io"),
        .coinbaseexchange: URL(string: "https://api-public.sandbox.exchange.coinbase.com"),
    ]
}
