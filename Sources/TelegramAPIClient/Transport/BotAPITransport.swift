import Foundation

/// Sends one Bot API call and returns Telegram's raw answer. The one seam between the client and the network, so
/// tests can script answers without sockets and the client's retry and error logic is tested on its own.
///
/// Implementations must never put the bot token in an error, a log line or a description.
public protocol BotAPITransport: Sendable {
    /// Posts `body` (a JSON object) to the method and returns the HTTP status and body, whatever the status.
    /// `timeout` bounds the whole exchange, from connecting to the last byte of the answer.
    func post(method: String, body: Data, timeout: Duration) async throws(BotAPITransportError)
        -> (status: Int, body: Data)
}

/// Why a call got no answer, split by what it means for retrying: whether Telegram can have acted on the request.
public enum BotAPITransportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No byte of the request was written: DNS, refused connection, TLS handshake, or no connection before the
    /// deadline. Telegram cannot have acted on it, so any call may be retried.
    case connectFailed(String)
    /// The request was (or may have been) sent, then the answer did not arrive: read timeout, reset, closed
    /// connection. Telegram may have acted on it; a retried `sendMessage` could show the user the message twice.
    case outcomeUnknown(String)
    /// The answer was larger than any Bot API answer this client asks for.
    case responseTooLarge
    /// The calling task was cancelled (shutdown); not a failure of Telegram.
    case cancelled

    public var description: String {
        switch self {
        case .connectFailed(let detail): "connect failed (\(detail))"
        case .outcomeUnknown(let detail): "no answer after sending (\(detail))"
        case .responseTooLarge: "response too large"
        case .cancelled: "cancelled"
        }
    }
}
