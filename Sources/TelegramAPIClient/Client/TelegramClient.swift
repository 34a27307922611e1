import Foundation
import Logging
import ServiceMetrics

/// The bot's Bot API client: typed methods over a ``BotAPITransport``, with one retry policy for every call.
///
/// A value type holding only `Sendable` parts, so the poller, the notifier and the handlers can each keep a copy.
/// It never sees the token (the transport owns it), so nothing it logs or throws can contain it.
public struct TelegramClient: Sendable {
    /// How a call's wait between attempts is spent; tests pass a recorder that returns at once.
    public typealias Sleeper = @Sendable (Duration) async throws -> Void

    private let transport: any BotAPITransport
    public var retryPolicy: RetryPolicy
    /// The deadline of one attempt of an ordinary call. `getUpdates` adds its long-poll timeout to
    /// ``longPollGrace`` instead.
    public var requestTimeout: Duration
    public var logger: Logger
    private let sleep: Sleeper
    private let jitter: @Sendable () -> Double

    /// Added to the long-poll timeout for `getUpdates`' HTTP deadline: the server answers only when the poll ends,
    /// so a deadline equal to it would cut every empty poll short.
    public static let longPollGrace: Duration = .seconds(15)

    /// - Parameters:
    ///   - sleep: Waits between attempts; cancellation ends the call with the last error.
    ///   - jitter: A random number in `0..<1` per retry, scaling the backoff (see ``RetryPolicy``).
    public init(
        transport: any BotAPITransport,
        retryPolicy: RetryPolicy = RetryPolicy(),
        requestTimeout: Duration = .seconds(15),
        logger: Logger = Logger(label: "exchange-bot.telegram"),
        sleep: @escaping Sleeper = { try await Task.sleep(for: $0) },
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.transport = transport
        self.retryPolicy = retryPolicy
        self.requestTimeout = requestTimeout
        self.logger = logger
        self.sleep = sleep
        self.jitter = jitter
    }

    /// Calls `method` with `parameters` as a JSON object and returns its decoded `result`, retrying as
    /// ``retryPolicy`` says for a call of this `idempotency`.
    func call<Parameters: Encodable, Result: Decodable>(
        _ method: String,
        _ parameters: Parameters,
        returning: Result.Type,
        idempotency: Idempotency,
        timeout: Duration? = nil
    ) async throws(TelegramError) -> Result {
        let body = Self.encode(parameters)
        var attempt = 1
        while true {
            let failure: TelegramError
            do throws(TelegramError) {
                return try await attemptOnce(method, body: body, returning: Result.self, timeout: timeout)
            } catch {
                failure = error
            }
            let decision = retryPolicy.decision(
                after: failure,
                attempt: attempt,
                idempotency: idempotency,
                jitter: jitter()
            )
            guard case .retry(let delay) = decision else { throw failure }
            logger.warning(
                "Bot API call failed; retrying",
                metadata: [
                    "method": "\(method)", "attempt": "\(attempt)", "error": "\(failure)", "delay": "\(delay)",
                ]
            )
            do {
                try await sleep(delay)
            } catch {
                throw failure
            }
            attempt += 1
        }
    }

    private func attemptOnce<Result: Decodable>(
        _ method: String,
        body: Data,
        returning: Result.Type,
        timeout: Duration?
    ) async throws(TelegramError) -> Result {
        do throws(TelegramError) {
            let answer: (status: Int, body: Data)
            do throws(BotAPITransportError) {
                answer = try await transport.post(method: method, body: body, timeout: timeout ?? requestTimeout)
            } catch {
                throw .transport(error)
            }
            let result = try BotAPIResponse.result(Result.self, status: answer.status, body: answer.body)
            ServiceMetrics.botAPICall(method: method, outcome: "ok")
            return result
        } catch {
            ServiceMetrics.botAPICall(method: method, outcome: error.metricOutcome)
            if case .tooManyRequests(let retryAfter) = error {
                ServiceMetrics.botAPIRateLimited(method: method, retryAfter: retryAfter)
            }
            throw error
        }
    }

    /// Parameters are plain structs of strings, numbers and arrays, which JSON always encodes; a failure here is a
    /// programming error. Always an object (at least `{}`), so the transport always has a body to stream.
    private static func encode(_ parameters: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return try encoder.encode(parameters)
        } catch {
            preconditionFailure("Bot API parameters failed to encode: \(error)")
        }
    }
}
