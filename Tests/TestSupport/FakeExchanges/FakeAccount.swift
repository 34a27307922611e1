import Crypto
import ExchangeBotCore
import Foundation

/// One API key as a fake exchange knows it: the credentials it checks requests against and the permissions it
/// reports back, so a test can stage any key a user might paste in.
public struct FakeAccount: Sendable, Equatable {
    /// The key id sent in the exchange's key header (Coinbase: the CDP key name, also the JWT `kid` and `sub`).
    public var apiKey: String
    /// The HMAC secret as the exchange issues it (Kraken and Coinbase Exchange: base64 text, decoded before use);
    /// for Coinbase the EC P-256 private key PEM, of which the fake keeps only the public key.
    public var secret: String
    /// The passphrase chosen at key creation (OKX, KuCoin, Coinbase Exchange).
    public var passphrase: String?
    public var canTrade: Bool
    public var canWithdraw: Bool
    /// `false` when the key has no IP whitelist.
    public var ipRestricted: Bool
    /// `false` makes the exchange refuse every signed request as coming from an IP outside the whitelist.
    public var ipAllowed: Bool

    public init(
        apiKey: String,
        secret: String,
        passphrase: String? = nil,
        canTrade: Bool = true,
        canWithdraw: Bool = false,
        ipRestricted: Bool = true,
        ipAllowed: Bool = true
    ) {
        self.apiKey = apiKey
        self.secret = secret
        self.passphrase = passphrase
        self.canTrade = canTrade
        self.canWithdraw = canWithdraw
        self.ipRestricted = ipRestricted
        self.ipAllowed = ipAllowed
    }

    /// A fresh key in the shape the exchange issues (lengths, alphabets, base64 or PEM secrets, a passphrase where
    /// the exchange asks for one), so tests need not invent credentials per exchange.
    public static func random(
        for exchange: ExchangeID,
        canTrade: Bool = true,
        canWithdraw: Bool = false,
        ipRestricted: Bool = true,
        ipAllowed: Bool = true
    ) -> FakeAccount {
        let alphanumeric = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        let hexadecimal = Array("0123456789abcdef")
        func text(_ count: Int, _ alphabet: [Character]) -> String {
            String((0..<count).map { _ in alphabet.randomElement()! })
        }
        func base64Secret(_ count: Int) -> String {
            Data((0..<count).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        }
        let uuid = { UUID().uuidString.lowercased() }
        let passphrase = exchange.requiresPassphrase ? "Pass-" + text(12, alphanumeric) : nil
        let apiKey: String
        let secret: String
        switch exchange {
        case .binance:
            apiKey = text(64, alphanumeric)
            secret = text(64, alphanumeric)
        case .bybit:
            apiKey = text(18, alphanumeric)
            secret = text(36, alphanumeric)
        case .okx:
            apiKey = uuid()
            secret = text(32, hexadecimal).uppercased()
        case .gate:
            apiKey = text(32, hexadecimal)
            secret = text(64, hexadecimal)
        case .mexc:
            apiKey = "mx0" + text(15, alphanumeric)
            secret = text(32, hexadecimal)
        case .kucoin:
            apiKey = text(24, hexadecimal)
            secret = uuid()
        case .coinbase:
            apiKey = "organizations/\(uuid())/apiKeys/\(uuid())"
            secret = P256.Signing.PrivateKey().pemRepresentation
        case .coinbaseexchange:
            apiKey = text(32, hexadecimal)
            secret = base64Secret(64)
        case .kraken:
            apiKey = base64Secret(42)
            secret = base64Secret(64)
        }
        return FakeAccount(
            apiKey: apiKey,
            secret: secret,
            passphrase: passphrase,
            canTrade: canTrade,
            canWithdraw: canWithdraw,
            ipRestricted: ipRestricted,
            ipAllowed: ipAllowed
        )
    }
}

/// How a fake exchange misbehaves, to test how validators cope with outages, proxies and throttling.
public enum FakeBehaviour: Sendable, Equatable {
    /// Verifies and answers as the real exchange would.
    case normal
    /// Maintenance: every request gets this status (an HTML gateway page for 502–504, else the exchange's JSON
    /// internal-error body).
    case down(status: Int)
    /// Waits this long before answering each request, then answers normally.
    case slow(seconds: Double)
    /// Answers 200 with bytes that are not JSON.
    case garbage
    /// Answers 403 with an HTML page, as a WAF or a region block does.
    case htmlErrorPage
    /// Answers every request with the exchange's rate-limit error.
    case rateLimited
}
