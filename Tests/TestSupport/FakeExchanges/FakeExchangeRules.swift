import Crypto
import ExchangeBotCore
import Foundation

/// One exchange's verification recipe and answer shapes; each conforming type lives in its own `Fake<Name>.swift`.
protocol FakeExchangeRules: Sendable {
    /// Routes and verifies one request while the fake behaves normally.
    func answer(_ request: FakeHTTPRequest, in context: FakeExchangeContext) -> FakeReply
    /// The exchange's answer to a throttled client.
    func rateLimited(in context: FakeExchangeContext) -> FakeReply
    /// The exchange's JSON body for an internal error or maintenance with a non-gateway status.
    func internalError(status: Int, in context: FakeExchangeContext) -> FakeReply
}

extension ExchangeID {
    var fakeRules: any FakeExchangeRules {
        switch self {
        case .binance: FakeBinance()
        case .bybit: FakeBybit()
        case .okx: FakeOKX()
        case .gate: FakeGate()
        case .mexc: FakeMEXC()
        case .kucoin: FakeKuCoin()
        case .coinbase: FakeCoinbase()
        case .coinbaseexchange: FakeCoinbaseExchange()
        case .kraken: FakeKraken()
        }
    }
}

/// A received request reduced to what signatures cover: raw target pieces and raw body bytes, never re-encoded.
struct FakeHTTPRequest: Sendable {
    var method: String
    /// The raw path (not percent-decoded).
    var path: String
    /// The raw query after `?`, or nil when the target had none.
    var query: String?
    /// Header values by lowercased name.
    var headers: [String: String]
    var body: [UInt8]

    func header(_ lowercasedName: String) -> String? { headers[lowercasedName] }

    /// The query as signed by exchanges that sign it alone: `""` when absent.
    var rawQuery: String { query ?? "" }

    /// `path` plus `?query` when the query is not empty, as OKX, KuCoin and Coinbase Exchange sign it.
    var pathWithQuery: String {
        guard let query, !query.isEmpty else { return path }
        return path + "?" + query
    }

    var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// `"GET /path"`, for routing.
    var route: String { method + " " + path }

    /// Query parameters in order, values left percent-encoded (only ever compared as numbers here).
    var queryPairs: [(name: Substring, value: Substring)] {
        guard let query else { return [] }
        return query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            if let equals = pair.firstIndex(of: "=") {
                return (pair[..<equals], pair[pair.index(after: equals)...])
            }
            return (pair, "")
        }
    }

    func queryValue(_ name: String) -> Substring? { queryPairs.first { $0.name == name }?.value }
}

/// The answer a rule chose, with the reason it chose it for the request log.
struct FakeReply: Sendable {
    var status: Int
    var contentType: String
    var body: String
    var outcome: FakeOutcome
    var code: String?
    var extraHeaders: [(String, String)] = []

    static func json(_ status: Int, _ json: FakeJSON, _ outcome: FakeOutcome, code: String? = nil) -> FakeReply {
        FakeReply(status: status, contentType: "application/json", body: json.text, outcome: outcome, code: code)
    }

    static func text(_ status: Int, _ text: String, _ outcome: FakeOutcome, code: String? = nil) -> FakeReply {
        FakeReply(status: status, contentType: "text/plain; charset=utf-8", body: text, outcome: outcome, code: code)
    }

    /// What an exchange's edge answers for a path it does not serve.
    static let notFound = FakeReply.json(404, ["error": "Not Found"], .notFound)
}

/// A registered key with what the fake derives from it once, at registration, rather than per request.
struct RegisteredAccount: Sendable {
    var account: FakeAccount
    /// The HMAC key bytes: the secret's UTF-8, or its base64 decoding for Kraken and Coinbase Exchange (nil when
    /// that secret is not base64, which makes every signature wrong, as the real exchange would find).
    var hmacKey: [UInt8]?
    /// Coinbase: the public half of the PEM secret.
    var publicKey: P256.Signing.PublicKey?

    init(_ account: FakeAccount, for exchange: ExchangeID) {
        self.account = account
        switch exchange {
        case .kraken, .coinbaseexchange:
            hmacKey = Data(base64Encoded: account.secret).map { Array($0) }
            publicKey = nil
        case .coinbase:
            hmacKey = nil
            publicKey = try? P256.Signing.PrivateKey(pemRepresentation: account.secret).publicKey
        default:
            hmacKey = Array(account.secret.utf8)
            publicKey = nil
        }
    }
}

/// What a rule may consult while verifying one request: the registered keys, the fake's clock, Kraken nonces.
struct FakeExchangeContext: Sendable {
    let core: FakeExchangeCore
    /// The fake's clock when the request arrived (real time plus the configured offset), in milliseconds.
    let nowMillis: Int64
    /// The peer address as the fake would quote it in IP errors.
    let clientIP: String

    var nowSeconds: Double { Double(nowMillis) / 1000 }

    func account(_ apiKey: String) -> RegisteredAccount? { core.registeredAccount(apiKey) }

    /// Kraken: the last nonce accepted for a key, 0 before the first.
    func lastNonce(_ apiKey: String) -> UInt64 { core.lastNonce(apiKey) }

    /// Kraken: records a nonce if it is still above the last one (a concurrent request may have won the race).
    func acceptNonce(_ nonce: UInt64, for apiKey: String) -> Bool { core.acceptNonce(nonce, for: apiKey) }
}

extension FakeHTTPRequest {
    /// Binance and MEXC `totalParams`: the raw query then the raw body, no separator, with the first
    /// `signature=…` pair taken out of whichever of the two holds it (query first) and the order otherwise kept.
    func totalParamsWithoutSignature() -> (payload: [UInt8], signature: String?) {
        func strip(_ text: String) -> (String, String?) {
            var found: String?
            var kept: [Substring] = []
            for pair in text.split(separator: "&", omittingEmptySubsequences: false) {
                if found == nil, pair.hasPrefix("signature=") {
                    found = String(pair.dropFirst("signature=".count))
                } else {
                    kept.append(pair)
                }
            }
            return (kept.joined(separator: "&"), found)
        }
        let (query, querySignature) = strip(rawQuery)
        if let querySignature { return (Array(query.utf8) + body, querySignature) }
        let (body, bodySignature) = strip(bodyText)
        return (Array((query + body).utf8), bodySignature)
    }

    /// `name=value` pairs from the query and, for form bodies, the body: where Binance-style APIs read
    /// `timestamp` and `recvWindow`.
    func parameter(_ name: String) -> Substring? {
        if let value = queryValue(name) { return value }
        let prefix = name + "="
        return bodyText.split(separator: "&").first { $0.hasPrefix(prefix) }?.dropFirst(prefix.count)
    }
}

/// Lets verification steps return an error answer through `Result`.
extension FakeReply: Error {}
