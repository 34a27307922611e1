import ExchangeBotCore
import ExchangeSigning
import Foundation
import TestSupport
import Testing

/// CCXT as a second, independent oracle: with its clock frozen and its network call replaced, it prints the
/// exact request it would send; our signers must produce the same signature for the same inputs.
@Suite(.enabled(if: CCXTOracle.available, "python3 has no `ccxt` module: the CCXT oracle was not run"))
struct CCXTOracleTests {
    static let time = Date(timeIntervalSince1970: 1_700_000_000)

    /// Exchange, CCXT's request for it (method, path, body), and the header carrying the signature.
    static let cases: [(ExchangeID, String, String, String, String)] = [
        (.bybit, "GET", "/v5/user/query-api", "", "X-BAPI-SIGN"),
        (.okx, "GET", "/api/v5/account/config", "", "OK-ACCESS-SIGN"),
        (.kucoin, "GET", "/api/v1/user/api-key", "", "KC-API-SIGN"),
        (.gate, "GET", "/api/v4/spot/accounts", "", "SIGN"),
        (.coinbaseexchange, "GET", "/accounts", "", "CB-ACCESS-SIGN"),
        (.kraken, "POST", "/0/private/GetApiKeyInfo", "nonce=1700000000000", "API-Sign"),
    ]

    @Test(arguments: cases.indices)
    func ourSignatureIsCCXTs(index: Int) async throws {
        let (exchange, method, path, body, header) = Self.cases[index]
        let secret = "dGVzdC1zZWNyZXQtY29pbmJhc2UtZXhjaGFuZ2UtMzI="
        let credentials = Credentials(
            exchange: exchange,
            apiKey: "test-api-key",
            apiSecret: SecretString(secret),
            passphrase: exchange.requiresPassphrase ? SecretString("test-passphrase") : nil
        )
        let theirs = try await CCXTOracle.request(
            exchange,
            apiKey: "test-api-key",
            secret: secret,
            passphrase: "test-passphrase",
            time: Self.time
        )
        let ours = try signer(for: exchange).sign(
            ExchangeRequest(method: method, path: path, body: body),
            credentials: credentials,
            at: Self.time
        )
        #expect(theirs.url.hasSuffix(path) || theirs.url.contains(path + "?"), "\(theirs.url)")
        #expect(ours.header(header) != nil && ours.header(header) == theirs.headers[header], "\(exchange) \(header)")
        if exchange == .kucoin {
            #expect(ours.header("KC-API-PASSPHRASE") == theirs.headers["KC-API-PASSPHRASE"])
        }
    }
}

/// Runs CCXT (from PyPI) with a frozen clock and a `fetch` that records instead of sending.
enum CCXTOracle {
    struct Request: Decodable {
        let url: String
        let method: String
        let headers: [String: String]
    }

    static let available: Bool = (try? Python.runBlocking("import ccxt")) != nil

    static func request(_ exchange: ExchangeID, apiKey: String, secret: String, passphrase: String, time: Date)
        async throws -> Request
    {
        let output = try await Python.run(
            """
            import json, sys, ccxt
            name, key, secret, password, ms = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
            ex = getattr(ccxt, name)({"apiKey": key, "secret": secret, "password": password})
            ex.markets = {}
            ex.markets_by_id = {}
            ex.milliseconds = lambda: ms
            ex.seconds = lambda: ms // 1000
            # Coinbase Exchange stamps seconds; the others use milliseconds (Kraken's nonce too).
            ex.nonce = (lambda: ms // 1000) if name == "coinbaseexchange" else (lambda: ms)
            captured = {}
            class Stop(Exception):
                pass
            def fetch(url, method="GET", headers=None, body=None):
                captured.update(url=url, method=method, headers=dict(headers or {}))
                raise Stop()
            ex.fetch = fetch
            calls = {
                "bybit": lambda: ex.private_get_v5_user_query_api(),
                "okx": lambda: ex.private_get_account_config(),
                "kucoin": lambda: ex.private_get_user_api_key(),
                "gate": lambda: ex.private_spot_get_accounts(),
                "coinbaseexchange": lambda: ex.private_get_accounts(),
                "kraken": lambda: ex.private_post_getapikeyinfo(),
            }
            try:
                calls[name]()
            except Stop:
                pass
            print(json.dumps(captured))
            """,
            arguments: [
                exchange.rawValue, apiKey, secret, passphrase, String(Int64(time.timeIntervalSince1970 * 1000)),
            ]
        )
        return try JSONDecoder().decode(Request.self, from: Data(output.utf8))
    }
}
