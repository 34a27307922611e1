import Foundation
import Logging
import Synchronization
import TelegramAPIClient

/// A transport that answers from a script keyed by method and records every call: for testing the client's
/// encoding, error reading and retries without sockets.
final class ScriptedBotTransport: BotAPITransport {
    enum Reply: Sendable {
        case answer(status: Int, body: String)
        case fail(BotAPITransportError)
    }

    struct Call: Sendable {
        var method: String
        var body: String
        var timeout: Duration
    }

    private let state = Mutex<(replies: [String: [Reply]], calls: [Call])>(([:], []))

    /// Queues replies for a method; each call takes the next one, the last one repeats.
    func on(_ method: String, _ replies: Reply...) {
        state.withLock { $0.replies[method, default: []] += replies }
    }

    var calls: [Call] { state.withLock { $0.calls } }

    func post(method: String, body: Data, timeout: Duration) async throws(BotAPITransportError)
        -> (status: Int, body: Data)
    {
        let reply: Reply = state.withLock { state in
            state.calls.append(Call(method: method, body: String(decoding: body, as: UTF8.self), timeout: timeout))
            guard var queue = state.replies[method], !queue.isEmpty else {
                return .answer(status: 404, body: #"{"ok":false,"error_code":404,"description":"Not Found"}"#)
            }
            let next = queue.count > 1 ? queue.removeFirst() : queue[0]
            state.replies[method] = queue
            return next
        }
        switch reply {
        case .answer(let status, let body): return (status, Data(body.utf8))
        case .fail(let error): throw error
        }
    }
}

extension ScriptedBotTransport.Reply {
    static func ok(_ result: String) -> Self {
        .answer(status: 200, body: #"{"ok":true,"result":\#(result)}"#)
    }

    /// Telegram's error envelope, with the HTTP status equal to `error_code` as the real server sends it.
    static func error(_ code: Int, _ description: String, parameters: String? = nil) -> Self {
        let extra = parameters.map { #","parameters":\#($0)"# } ?? ""
        return .answer(
            status: code,
            body: #"{"ok":false,"error_code":\#(code),"description":"\#(description)"\#(extra)}"#
        )
    }
}

/// Records the waits the client asks for and returns at once, or fails them to stand for cancellation.
final class SleepRecorder: Sendable {
    private let state = Mutex<[Duration]>([])
    private let cancelling: Bool

    init(cancelling: Bool = false) {
        self.cancelling = cancelling
    }

    var waits: [Duration] { state.withLock { $0 } }

    func sleep(_ duration: Duration) async throws {
        state.withLock { $0.append(duration) }
        if cancelling { throw CancellationError() }
    }
}

extension TelegramClient {
    /// A client over a scripted transport whose waits are recorded, with a fixed jitter.
    static func scripted(
        _ transport: ScriptedBotTransport,
        sleeper: SleepRecorder = SleepRecorder(),
        retryPolicy: RetryPolicy = RetryPolicy(),
        jitter: Double = 0.5
    ) -> TelegramClient {
        TelegramClient(
            transport: transport,
            retryPolicy: retryPolicy,
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
            sleep: { try await sleeper.sleep($0) },
            jitter: { jitter }
        )
    }
}
