internal import AsyncHTTPClient
import ExchangeSigning
import Foundation
internal import NIOCore
internal import NIOHTTP1

/// The production transport: one shared AsyncHTTPClient with pooled connections, a User-Agent naming the product,
/// and a hard deadline per request (`EXCHANGE_TIMEOUT`).
public final class AsyncHTTPTransport: ExchangeTransport {
    public static let userAgent = "exchange-bot/1.0 (+key validation)"
    /// Validation answers are small; anything larger is not what we asked for.
    static let maxResponseBytes = 1 << 20

    private let client: HTTPClient

    /// A transport with its own connection pool; call ``shutdown()`` when done.
    public init() {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        configuration.httpVersion = .automatic
        configuration.redirectConfiguration = .disallow
        // No spans: the service exports none, and each would cost a URL parse for its attributes.
        configuration.tracing.tracer = nil
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func shutdown() async throws {
        try await client.shutdown()
    }

    public func send(_ request: ExchangeRequest, to origin: URL, timeout: Duration) async throws(TransportError)
        -> ExchangeHTTPResponse
    {
        var base = origin.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        var outgoing = HTTPClientRequest(url: base + request.pathAndQuery)
        outgoing.method = HTTPMethod(rawValue: request.method)
        outgoing.headers.add(name: "User-Agent", value: Self.userAgent)
        outgoing.headers.add(name: "Accept", value: "application/json")
        for header in request.headers {
            outgoing.headers.add(name: header.name, value: header.value)
        }
        if !request.body.isEmpty {
            outgoing.body = .bytes(ByteBuffer(string: request.body))
        }
        let seconds = Int64(timeout.components.seconds)
        let deadline =
            NIODeadline.now()
            + .milliseconds(max(1, seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000))
        do {
            let response = try await client.execute(outgoing, deadline: deadline)
            let body = try await response.body.collect(upTo: Self.maxResponseBytes)
            return ExchangeHTTPResponse(
                status: Int(response.status.code),
                headers: response.headers.map { (name: $0.name, value: $0.value) },
                body: Data(body.readableBytesView)
            )
        } catch let error as HTTPClientError
            where error == .deadlineExceeded || error == .readTimeout
            || error == .connectTimeout
        {
            throw .timeout
        } catch is NIOTooManyBytesError {
            throw .responseTooLarge
        } catch let error as HTTPClientError {
            throw .unreachable(String(describing: error))
        } catch {
            throw .unreachable(String(describing: type(of: error)))
        }
    }
}
