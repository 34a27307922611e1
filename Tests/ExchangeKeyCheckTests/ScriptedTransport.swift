import ExchangeKeyCheck
import ExchangeSigning
import Foundation
import Synchronization

/// A transport that answers from a script keyed by path, and records what was sent: for testing the adapters'
/// reading of answers without sockets (the fake exchange servers test the wire).
final class ScriptedTransport: ExchangeTransport {
    enum Reply: Sendable {
        case answer(status: Int, body: String)
        case fail(TransportError)
    }

    private let state = Mutex<(replies: [String: [Reply]], sent: [ExchangeRequest])>(([:], []))

    /// Queues replies for a path; each request takes the next one, the last one repeats.
    func on(_ path: String, _ replies: Reply...) {
        state.withLock { $0.replies[path, default: []] += replies }
    }

    var sent: [ExchangeRequest] { state.withLock { $0.sent } }

    func send(_ request: ExchangeRequest, to origin: URL, timeout: Duration) async throws(TransportError)
        -> ExchangeHTTPResponse
    {
        let reply: Reply = state.withLock { state in
            state.sent.append(request)
            guard var queue = state.replies[request.path], !queue.isEmpty else {
                return .answer(status: 404, body: #"{"message":"no script for this path"}"#)
            }
            let next = queue.count > 1 ? queue.removeFirst() : queue[0]
            state.replies[request.path] = queue
            return next
        }
        switch reply {
        case .answer(let status, let body): return ExchangeHTTPResponse(status: status, body: Data(body.utf8))
        case .fail(let error): throw error
        }
    }
}
