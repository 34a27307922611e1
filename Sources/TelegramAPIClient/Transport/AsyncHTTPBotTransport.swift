internal import AsyncHTTPClient
import Foundation
internal import NIOCore
internal import NIOHTTP1
import Synchronization

/// The production transport: JSON `POST`s to `{base}/bot{token}/{method}` over one pooled AsyncHTTPClient.
///
/// Whether Telegram can have acted on a failed call decides whether the client may retry it, so this transport
/// tells the two cases apart by fact, not by guessing from error types: the request body is streamed, and
/// AsyncHTTPClient asks for the body only once a connection is up and the request head is on its way. A failure
/// before that is ``BotAPITransportError/connectFailed(_:)``; a failure after it is
/// ``BotAPITransportError/outcomeUnknown(_:)``. For that to hold, the pool does not retry failed connection
/// attempts itself: requests fail at once and the client's retry policy decides.
///
/// The token never leaves this type in readable form: error texts and error answers are scrubbed of it, and the
/// type prints and mirrors without it.
public final class AsyncHTTPBotTransport: BotAPITransport, CustomStringConvertible, CustomReflectable {
    public static let userAgent = "exchange-bot/1.0 (+telegram)"
    /// `getUpdates` with 100 updates is well under this; anything larger is not a Bot API answer.
    static let maxResponseBytes = 16 << 20
    public static let defaultBaseURL = URL(string: "https://api.telegram.org")!

    private let client: HTTPClient
    private let base: String
    private let token: BotToken

    /// A transport with its own connection pool; call ``shutdown()`` when done.
    ///
    /// - Parameters:
    ///   - baseURL: The Bot API server (`TELEGRAM_API_URL`), e.g. a local Bot API server or a test fake.
    ///   - token: The bot token; surrounding whitespace (a trailing newline from a secrets file) is dropped.
    ///   - maxConnections: Connections kept to the server. A burst of 30 sends a second must not queue behind a
    ///     few connections (the queue would bunch them up and break the send limits the sender keeps), and one is
    ///     always held by the long poll.
    public init(baseURL: URL = AsyncHTTPBotTransport.defaultBaseURL, token: String, maxConnections: Int = 40) {
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        self.base = base
        self.token = BotToken(token)
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(
            idleTimeout: .seconds(30),
            concurrentHTTP1ConnectionsPerHostSoftLimit: maxConnections
        )
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.httpVersion = .http1Only
        configuration.redirectConfiguration = .disallow
        // No spans: a tracer would record each request's URL, which holds the bot token. It also spares every call
        // a URL parse for span attributes the service never exports.
        configuration.tracing.tracer = nil
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public var description: String { "AsyncHTTPBotTransport(\(base)/bot\(BotToken.placeholder))" }

    /// Only the base URL, so `dump` and debuggers show neither the token nor the client's internals.
    public var customMirror: Mirror { Mirror(self, children: ["base": base], displayStyle: .class) }

    public func shutdown() async throws {
        try await client.shutdown()
    }

    public func post(method: String, body: Data, timeout: Duration) async throws(BotAPITransportError)
        -> (status: Int, body: Data)
    {
        let sent = SentMarker(body)
        var request = HTTPClientRequest(url: "\(base)/bot\(token.value)/\(method)")
        request.method = .POST
        request.headers.add(name: "User-Agent", value: Self.userAgent)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .stream(sent, length: .known(Int64(body.count)))
        let deadline = NIODeadline.now() + .nanoseconds(max(1, Self.nanoseconds(timeout)))
        do {
            let response = try await client.execute(request, deadline: deadline)
            let collected = try await response.body.collect(upTo: Self.maxResponseBytes)
            let status = Int(response.status.code)
            let bytes = Data(collected.readableBytesView)
            // Error answers become error descriptions and log lines; success answers are left as they are.
            let isError = !(200..<300).contains(status) || Self.declaresFailure(bytes)
            return (status, isError ? token.redact(bytes) : bytes)
        } catch is NIOTooManyBytesError {
            throw .responseTooLarge
        } catch {
            if Task.isCancelled || error is CancellationError || (error as? HTTPClientError) == .cancelled {
                throw .cancelled
            }
            let detail = token.redact(Self.describe(error))
            throw sent.wasSent ? .outcomeUnknown(detail) : .connectFailed(detail)
        }
    }

    /// Whether a 2xx body is an error envelope (`{"ok":false, …}`), which Telegram itself never sends with a 2xx but a
    /// server at a custom `TELEGRAM_API_URL` may: its description becomes an error like any other. Only the body's
    /// first bytes are read, so a success answer (an update batch, say) costs no scan.
    private static func declaresFailure(_ body: Data) -> Bool {
        let failure = #"{"ok":false"#.utf8
        var expected = failure.startIndex
        for byte in body.prefix(64) where byte != 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D {
            guard byte == failure[expected] else { return false }
            expected = failure.index(after: expected)
            if expected == failure.endIndex { return true }
        }
        return false
    }

    /// A short, URL-free name for an error: AsyncHTTPClient's own errors describe themselves; others by type.
    private static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError { return String(describing: error) }
        return "\(type(of: error)): \(error)"
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

/// The request body as a one-chunk stream that records whether AsyncHTTPClient has started sending it.
private struct SentMarker: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    private let body: Data
    private let started = Flag()

    init(_ body: Data) {
        self.body = body
    }

    var wasSent: Bool { started.value.load(ordering: .acquiring) }

    func makeAsyncIterator() -> Iterator {
        Iterator(body: body, started: started)
    }

    struct Iterator: AsyncIteratorProtocol {
        let body: Data
        let started: Flag
        var done = false

        mutating func next() async -> ByteBuffer? {
            started.value.store(true, ordering: .releasing)
            guard !done else { return nil }
            done = true
            return ByteBuffer(bytes: body)
        }
    }

    final class Flag: Sendable {
        let value = Atomic<Bool>(false)
    }
}
