import ExchangeBotCore
import Foundation

/// Adds one exchange's authentication to a request.
///
/// Signers are pure: they read no clock (the time is a parameter), do no I/O and keep no state, so the same inputs
/// always give the same request. The one exception is Coinbase's JWT nonce, which is random unless injected.
///
/// A signer adds only what authenticates the request (key, timestamp, signature, passphrase headers or parameters).
/// The caller sets everything else, such as `Content-Type`, and must not re-encode `query` or `body` afterwards,
/// because the signature covers their exact bytes.
public protocol RequestSigner: Sendable {
    /// The exchange whose scheme this signer implements; credentials for another exchange are refused.
    var exchange: ExchangeID { get }

    /// Returns `request` with the exchange's auth headers and parameters added.
    ///
    /// - Parameters:
    ///   - request: The request as it will go on the wire, with `query` and `body` already encoded.
    ///   - credentials: The key, secret and (where the exchange has one) passphrase.
    ///   - time: The moment to sign for; exchanges reject requests whose timestamp is too far from their clock.
    func sign(_ request: ExchangeRequest, credentials: Credentials, at time: Date) throws(SigningError)
        -> ExchangeRequest
}

/// The signer for an exchange, with its documented defaults (receive windows, production host names).
public func signer(for exchange: ExchangeID) -> any RequestSigner {
    switch exchange {
    case .binance: BinanceSigner()
    case .bybit: BybitSigner()
    case .okx: OKXSigner()
    case .gate: GateSigner()
    case .mexc: MEXCSigner()
    case .kucoin: KuCoinSigner()
    case .coinbase: CoinbaseSigner()
    case .coinbaseexchange: CoinbaseExchangeSigner()
    case .kraken: KrakenSigner()
    }
}
