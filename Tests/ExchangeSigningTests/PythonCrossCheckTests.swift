import ExchangeBotCore
import Foundation
import TestSupport
import Testing

@testable import ExchangeSigning

/// Python's `hmac`/`hashlib` recompute each HMAC exchange's auth values from the request's parts, following the
/// exchange's docs independently of our string assembly, for pseudo-random inputs (fixed seeds, so failures
/// reproduce).
@Suite("Python cross-check of the HMAC signers")
struct PythonCrossCheckTests {
    static let exchanges: [ExchangeID] = [.binance, .bybit, .okx, .gate, .mexc, .kucoin, .coinbaseexchange, .kraken]
    static let casesPerExchange = 25

    /// Given a base64 JSON list of cases, prints a JSON list with the expected auth value(s) of each.
    static let script = #"""
        import base64, hashlib, hmac, json, sys
        from datetime import datetime, timezone

        def mac(key, message, digest):
            return hmac.new(key, message.encode() if isinstance(message, str) else message, digest)

        out = []
        for c in json.loads(base64.b64decode(sys.argv[1])):
            ex, key, secret = c["exchange"], c["key"], c["secret"]
            method, path, query, body, ms = c["method"], c["path"], c["query"], c["body"], c["ms"]
            if ex in ("binance", "mexc"):
                total = query + body
                cut = total.rindex("&signature=")
                assert total[cut + len("&signature="):] == c["given"]
                assert ("timestamp=%d&recvWindow=5000" % ms) in total[:cut]
                out.append({"signature": mac(secret.encode(), total[:cut], hashlib.sha256).hexdigest()})
            elif ex == "bybit":
                payload = query if method == "GET" else body
                text = "%d%s%d%s" % (ms, key, 5000, payload)
                out.append({"X-BAPI-SIGN": mac(secret.encode(), text, hashlib.sha256).hexdigest(),
                            "X-BAPI-TIMESTAMP": str(ms)})
            elif ex == "okx":
                stamp = datetime.fromtimestamp(ms // 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
                stamp += ".%03dZ" % (ms % 1000)
                text = stamp + method + path + ("?" + query if query else "") + body
                digest = mac(secret.encode(), text, hashlib.sha256).digest()
                out.append({"OK-ACCESS-SIGN": base64.b64encode(digest).decode(), "OK-ACCESS-TIMESTAMP": stamp})
            elif ex == "gate":
                text = "\n".join([method, path, query, hashlib.sha512(body.encode()).hexdigest(), str(ms // 1000)])
                out.append({"SIGN": mac(secret.encode(), text, hashlib.sha512).hexdigest(),
                            "Timestamp": str(ms // 1000)})
            elif ex == "kucoin":
                text = str(ms) + method + path + ("?" + query if query else "") + body
                sign = base64.b64encode(mac(secret.encode(), text, hashlib.sha256).digest()).decode()
                phrase = base64.b64encode(mac(secret.encode(), c["passphrase"], hashlib.sha256).digest()).decode()
                out.append({"KC-API-SIGN": sign, "KC-API-PASSPHRASE": phrase, "KC-API-TIMESTAMP": str(ms)})
            elif ex == "coinbaseexchange":
                text = str(ms // 1000) + method + path + ("?" + query if query else "") + body
                digest = mac(base64.b64decode(secret), text, hashlib.sha256).digest()
                out.append({"CB-ACCESS-SIGN": base64.b64encode(digest).decode(),
                            "CB-ACCESS-TIMESTAMP": str(ms // 1000)})
            elif ex == "kraken":
                nonce = dict(pair.split("=", 1) for pair in body.split("&"))["nonce"]
                message = path.encode() + hashlib.sha256((nonce + body).encode()).digest()
                digest = mac(base64.b64decode(secret), message, hashlib.sha512).digest()
                out.append({"API-Sign": base64.b64encode(digest).decode()})
        print(json.dumps(out))
        """#

    /// What Python needs to recompute one signed request.
    struct Case: Encodable {
        let exchange: String
        let key: String
        let secret: String
        let passphrase: String
        let method: String
        let path: String
        let query: String
        let body: String
        let ms: Int64
        /// Binance/MEXC: the signature we put in the request, which Python finds itself and compares.
        let given: String
    }

    /// Random printable text, with some non-ASCII, for secrets and values.
    static func text(_ generator: inout SplitMix64, length: ClosedRange<Int>) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" + "-_.~!*'()[]{}:,\"é€💱 ")
        return String(
            (0..<Int.random(in: length, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
        )
    }

    /// Form text of random pairs, percent-encoded as it would go on the wire.
    static func form(_ generator: inout SplitMix64, pairs: ClosedRange<Int>) -> String {
        (0..<Int.random(in: pairs, using: &generator)).map { index in
            let value = text(&generator, length: 0...12)
            let encoded = value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            return "k\(index)=\(encoded)"
        }.joined(separator: "&")
    }

    static func randomCase(for exchange: ExchangeID, _ generator: inout SplitMix64) throws
        -> (Case, ExchangeRequest)
    {
        let post = Bool.random(using: &generator)
        let ms = Int64.random(in: 1_000_000_000_000...2_000_000_000_000, using: &generator)
        var secret = text(&generator, length: 1...64)
        if exchange == .kraken || exchange == .coinbaseexchange {
            let bytes = (0..<Int.random(in: 16...64, using: &generator)).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
            secret = Data(bytes).base64EncodedString()
        }
        let passphrase = text(&generator, length: 1...32)
        let path =
            "/api/"
            + (0..<Int.random(in: 1...3, using: &generator)).map { _ in
                "p\(UInt16.random(in: 0...999, using: &generator))"
            }.joined(separator: "/")
        var query = form(&generator, pairs: 0...4)
        var body = ""
        if post {
            switch exchange {
            case .binance, .mexc: body = form(&generator, pairs: 1...4)
            case .kraken: body = "nonce=\(ms)&" + form(&generator, pairs: 1...3)
            default: body = "{\"v\":\"\(text(&generator, length: 0...40).replacingOccurrences(of: "\"", with: "'"))\"}"
            }
        }
        if exchange == .kraken {
            query = ""
            if body.isEmpty { body = "nonce=\(ms)" }
        }
        let credentials = Credentials(
            exchange: exchange,
            apiKey: "key-\(UInt32.random(in: 0...UInt32.max, using: &generator))",
            apiSecret: SecretString(secret),
            passphrase: SecretString(passphrase)
        )
        let method = exchange == .kraken || post ? "POST" : "GET"
        let request = ExchangeRequest(method: method, path: path, query: query, body: body)
        let signed = try signer(for: exchange).sign(
            request,
            credentials: credentials,
            at: Fixture.time(milliseconds: ms)
        )
        let item = Case(
            exchange: exchange.rawValue,
            key: credentials.apiKey,
            secret: secret,
            passphrase: passphrase,
            method: signed.method,
            path: signed.path,
            query: signed.query,
            body: signed.body,
            ms: ms,
            given: Fixture.signatureParameter(in: signed.query + "&" + signed.body) ?? ""
        )
        return (item, signed)
    }

    @Test(
        "Python recomputes the same auth values",
        .enabled(if: Python.executable != nil, "python3 is not on PATH"),
        arguments: exchanges
    )
    func crossCheck(exchange: ExchangeID) async throws {
        var generator = SplitMix64(seed: 0x5EED_0000 + UInt64(Self.exchanges.firstIndex(of: exchange) ?? 0))
        var cases: [Case] = []
        var signed: [ExchangeRequest] = []
        for _ in 0..<Self.casesPerExchange {
            let (item, request) = try Self.randomCase(for: exchange, &generator)
            cases.append(item)
            signed.append(request)
        }
        let argument = try JSONEncoder().encode(cases).base64EncodedString()
        let output = try await Python.run(Self.script, arguments: [argument])
        let expected = try JSONDecoder().decode([[String: String]].self, from: Data(output.utf8))
        try #require(expected.count == cases.count)
        for (index, values) in expected.enumerated() {
            #expect(!values.isEmpty)
            for (name, value) in values {
                let ours = name == "signature" ? cases[index].given : signed[index].header(name)
                #expect(ours == value, "case \(index): \(name)")
            }
        }
    }
}
