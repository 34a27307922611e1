import ExchangeBotCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A strict stand-in for one exchange's REST API on loopback, for testing key validation end to end without the
/// network.
///
/// It verifies each signed request the way the exchange documents (the fact sheet `shared/reference/exchanges.md`,
/// §10), independently of the project's signing code, and answers with the exchange's own success and error shapes.
/// Point a client at ``origin`` (what `EXCHANGE_<ID>_URL` would hold), register keys with ``register(_:)``, and
/// inspect ``requests()`` afterwards. Misbehaviour (outages, throttling, proxies) is staged with ``setBehaviour(_:)``
/// and clock skew with ``setClockOffset(seconds:)``.
public final class FakeExchangeServer: Sendable {
    /// Why ``start(_:latency:)`` failed when the server gave no error of its own.
    public struct StartError: Error, CustomStringConvertible {
        public var description: String { "the fake exchange server stopped before it was listening" }
    }

    let core: FakeExchangeCore
    /// `http://127.0.0.1:<port>`, without a trailing slash; clients append the exchange's full path.
    public let origin: URL
    private let server: LoopbackServer

    public var exchange: ExchangeID { core.exchange }

    private init(core: FakeExchangeCore, origin: URL, server: LoopbackServer) {
        self.core = core
        self.origin = origin
        self.server = server
    }

    /// Starts a fake on 127.0.0.1 at a port the OS picks.
    ///
    /// - Parameters:
    ///   - exchange: Which exchange's API to serve.
    ///   - latency: Seconds added before every answer, as a distant exchange would.
    public static func start(_ exchange: ExchangeID, latency: Double = 0) async throws -> FakeExchangeServer {
        let core = FakeExchangeCore(exchange: exchange, latency: latency)
        let server = try await LoopbackServer.start(label: "FakeExchangeServer.\(exchange.rawValue)") { request in
            await core.respond(to: request)
        }
        guard let origin = URL(string: "http://127.0.0.1:\(server.port)") else { throw StartError() }
        return FakeExchangeServer(core: core, origin: origin, server: server)
    }

    /// Adds a key, or replaces the one with the same ``FakeAccount/apiKey``.
    public func register(_ account: FakeAccount) { core.register(account) }

    /// Forgets a key, so requests with it get the exchange's invalid-key error.
    public func unregister(apiKey: String) { core.unregister(apiKey) }

    /// Changes how every later request is answered; `.normal` restores verification.
    public func setBehaviour(_ behaviour: FakeBehaviour) { core.state.withLock { $0.behaviour = behaviour } }

    /// Sets the fake's clock to real time plus `seconds`, for clock-skew tests; the time endpoint reports it too.
    public func setClockOffset(seconds: Double) { core.state.withLock { $0.clockOffset = seconds } }

    /// Stops the fake's clock at its current time (a whole millisecond), so window tests measure skew exactly
    /// however long the machine takes to deliver a request; `nil` lets it run again.
    public func freezeClock(_ frozen: Bool = true) {
        let now = frozen ? core.nowMillis() : nil
        core.state.withLock { $0.frozenMillis = now }
    }

    /// The fake's clock now.
    public var now: Date { Date(timeIntervalSince1970: Double(core.nowMillis()) / 1000) }

    /// How many requests arrived, whatever the answer.
    public var requestCount: Int { core.state.withLock { $0.records.count } }

    /// Every request so far, oldest first.
    public func requests() -> [FakeRequestRecord] { core.state.withLock { $0.records } }

    /// Empties the request log (``requestCount`` restarts from 0), e.g. between phases of one test.
    public func clearRequests() { core.state.withLock { $0.records.removeAll() } }

    /// Stops listening and cancels requests still in flight (including ones held by `.slow`).
    public func stop() async throws {
        await server.stop()
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 418: "I'm a teapot"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: ""
        }
    }
}

/// The part of the server the HTTP responder holds: state and rules, available before the port is known.
final class FakeExchangeCore: Sendable {
    struct State {
        var accounts: [String: RegisteredAccount] = [:]
        var behaviour: FakeBehaviour = .normal
        var clockOffset: Double = 0
        var frozenMillis: Int64?
        var records: [FakeRequestRecord] = []
        var nonces: [String: UInt64] = [:]
    }

    let exchange: ExchangeID
    let rules: any FakeExchangeRules
    let latency: Double
    let state = Mutex(State())

    /// Bodies larger than this are refused; validators send tiny ones.
    private static let maximumBody = 1 << 20

    init(exchange: ExchangeID, latency: Double) {
        self.exchange = exchange
        self.rules = exchange.fakeRules
        self.latency = latency
    }

    func register(_ account: FakeAccount) {
        let registered = RegisteredAccount(account, for: exchange)
        state.withLock { $0.accounts[account.apiKey] = registered }
    }

    func unregister(_ apiKey: String) {
        state.withLock { $0.accounts[apiKey] = nil }
    }

    func registeredAccount(_ apiKey: String) -> RegisteredAccount? { state.withLock { $0.accounts[apiKey] } }

    func lastNonce(_ apiKey: String) -> UInt64 { state.withLock { $0.nonces[apiKey] ?? 0 } }

    func acceptNonce(_ nonce: UInt64, for apiKey: String) -> Bool {
        state.withLock { state in
            guard nonce > state.nonces[apiKey, default: 0] else { return false }
            state.nonces[apiKey] = nonce
            return true
        }
    }

    func nowMillis() -> Int64 {
        let (offset, frozen) = state.withLock { ($0.clockOffset, $0.frozenMillis) }
        if let frozen { return frozen }
        return Int64(((Date().timeIntervalSince1970 + offset) * 1000).rounded(.down))
    }

    func respond(to request: Request) async -> Response {
        var request = request
        let body = (try? await request.collectBody(upTo: Self.maximumBody)) ?? ByteBuffer()
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            headers[name] = headers[name].map { $0 + ", " + field.value } ?? field.value
        }
        let fake = FakeHTTPRequest(
            method: request.method.rawValue,
            path: request.uri.path,
            query: request.uri.query,
            headers: headers,
            body: Array(buffer: body)
        )
        let behaviour = state.withLock { $0.behaviour }
        let context = FakeExchangeContext(core: self, nowMillis: nowMillis(), clientIP: "127.0.0.1")
        let reply: FakeReply
        var delay = latency
        switch behaviour {
        case .normal: reply = rules.answer(fake, in: context)
        case .slow(let seconds):
            delay += seconds
            reply = rules.answer(fake, in: context)
        case .down(let status): reply = FakeBehaviourReplies.down(status: status, rules: rules, context: context)
        case .garbage: reply = FakeBehaviourReplies.garbage
        case .htmlErrorPage: reply = FakeBehaviourReplies.htmlErrorPage
        case .rateLimited: reply = rules.rateLimited(in: context)
        }
        let record = FakeRequestRecord(
            method: fake.method,
            path: fake.path,
            query: fake.query,
            headers: headers,
            body: Data(fake.body),
            status: reply.status,
            outcome: reply.outcome,
            code: reply.code
        )
        state.withLock { $0.records.append(record) }
        if delay > 0 {
            try? await Task.sleep(for: .seconds(delay))
        }
        var responseHeaders = HTTPFields()
        responseHeaders[.contentType] = reply.contentType
        for (name, value) in reply.extraHeaders {
            if let fieldName = HTTPField.Name(name) { responseHeaders[fieldName] = value }
        }
        return Response(
            status: HTTPResponse.Status(
                code: reply.status,
                reasonPhrase: FakeExchangeServer.reasonPhrase(reply.status)
            ),
            headers: responseHeaders,
            body: ResponseBody(byteBuffer: ByteBuffer(string: reply.body))
        )
    }
}
