/// Whether repeating a call can change what the user sees.
///
/// Editing, deleting, answering, reading and configuring converge on the same end state however often they run
/// (a repeated edit answers "message is not modified", a repeated delete "message to delete not found").
/// `sendMessage` does not: each successful call is one more message in the chat.
public enum Idempotency: Sendable, Hashable {
    case idempotent
    case notIdempotent
}

/// When a failed Bot API call is tried again, and after how long. All retry decisions live here; the client only
/// sleeps and repeats what this says. Pure: the randomness comes in as `jitter`, so tests pin every decision.
///
/// The rules, and why:
/// - **429** means Telegram refused the request without acting on it: wait `retry_after`, then repeat. A wait
///   longer than ``maxRetryAfter`` is not spent inside one call (the caller would hang for minutes, and waiting
///   less than asked only earns another 429); the caller gets ``TelegramError/tooManyRequests(retryAfter:)`` and
///   schedules the work itself.
/// - **5xx** and a failed connection are usually brief: back off exponentially with full jitter (a random wait
///   between zero and `min(maxDelay, baseDelay × 2^(attempt-1))`), so many callers do not return in step.
/// - **No answer after sending** (timeout, reset): Telegram may have acted. Idempotent calls are repeated as
///   above. `sendMessage` is not: a duplicate message is worse than a missing one the caller can report, so it
///   gets ``BotAPITransportError/outcomeUnknown(_:)``. For the same reason a send answered by 502 or 504 (a proxy
///   that lost the answer of a request it had forwarded) is not repeated; 500 and 503 are Telegram saying it did
///   not do it, and are.
/// - **409** (another poller or a webhook) is not repeated here: the poller decides, slowly, what to do.
/// - **Other 4xx** (bad request, forbidden, unauthorized, not found, migrated) cannot succeed unchanged.
/// - Every call gets at most ``maxAttempts`` attempts in all.
public struct RetryPolicy: Sendable, Hashable {
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    public var maxRetryAfter: Duration

    public init(
        maxAttempts: Int = 5,
        baseDelay: Duration = .milliseconds(500),
        maxDelay: Duration = .seconds(30),
        maxRetryAfter: Duration = .seconds(60)
    ) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// One attempt, no retries: for tests and for callers that run their own loop.
    public static let never = RetryPolicy(maxAttempts: 1)

    public enum Decision: Sendable, Hashable {
        case retry(after: Duration)
        case giveUp
    }

    /// What to do after `attempt` (1 for the first try) failed with `error`.
    ///
    /// - Parameter jitter: A random number in `0..<1` that scales the backoff; values outside are clamped.
    public func decision(
        after error: TelegramError,
        attempt: Int,
        idempotency: Idempotency,
        jitter: Double
    ) -> Decision {
        guard attempt < maxAttempts else { return .giveUp }
        switch error {
        case .tooManyRequests(let retryAfter):
            if retryAfter > maxRetryAfter { return .giveUp }
            if retryAfter <= .zero { return .retry(after: backoff(attempt: attempt, jitter: jitter)) }
            return .retry(after: retryAfter)
        case .server(let status):
            if idempotency == .notIdempotent && (status == 502 || status == 504) { return .giveUp }
            return .retry(after: backoff(attempt: attempt, jitter: jitter))
        case .transport(.connectFailed):
            return .retry(after: backoff(attempt: attempt, jitter: jitter))
        case .transport(.outcomeUnknown):
            guard idempotency == .idempotent else { return .giveUp }
            return .retry(after: backoff(attempt: attempt, jitter: jitter))
        case .transport(.responseTooLarge), .transport(.cancelled), .migrated, .conflict, .unauthorized, .forbidden,
            .badRequest, .notFound, .malformedResponse:
            return .giveUp
        }
    }

    /// Full jitter: `jitter × min(maxDelay, baseDelay × 2^(attempt-1))`.
    public func backoff(attempt: Int, jitter: Double) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let ceiling = min(maxDelay, baseDelay * (1 << exponent))
        return ceiling * min(max(jitter, 0), 1)
    }
}
