import ExchangeSigning
import Foundation

/// An exchange's answer: status, headers and body, before any interpretation.
public struct ExchangeHTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Data

    public init(status: Int, headers: [(name: String, value: String)] = [], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The body parsed as JSON, or `nil` for anything else (HTML error pages, garbage).
    public var json: Any? { try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) }
}

/// Why a request got no answer.
public enum TransportError: Error, Sendable, Equatable {
    case timeout
    /// The connection failed (refused, reset, DNS, TLS); the text names the kind, never a URL with secrets.
    case unreachable(String)
    /// The answer was larger than any validation response can be.
    case responseTooLarge
}

/// Sends signed requests to an exchange. The one seam between the adapters and the network, so tests can also
/// drive adapters without sockets.
public protocol ExchangeTransport: Sendable {
    func send(_ request: ExchangeRequest, to origin: URL, timeout: Duration) async throws(TransportError)
        -> ExchangeHTTPResponse
}
