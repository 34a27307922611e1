import CoreMetrics

/// Every metric the service records, by name, in one place: each name has one owner here, so two modules cannot
/// register the same name as different kinds (which the Prometheus registry refuses with a trap).
///
/// Modules record through these functions (swift-metrics' API, so they never see the backend); the composition
/// root bootstraps the backend (Prometheus) once per process. Until it does, every call is a no-op.
///
/// Label values are bounded by construction: exchange ids, Bot API method names of this code, fixed outcome
/// words. Never a user id, chat id, key label or anything a caller chose.
public enum ServiceMetrics {
    // MARK: Names (the README's table lists them)

    public static let updatesReceived = "exchange_bot_telegram_updates_received_total"
    public static let updatesHandled = "exchange_bot_telegram_updates_handled_total"
    public static let updatesFailed = "exchange_bot_telegram_updates_failed_total"
    public static let botAPICalls = "exchange_bot_telegram_api_calls_total"
    public static let botAPIRateLimited = "exchange_bot_telegram_rate_limited_total"
    public static let botAPIPausedSeconds = "exchange_bot_telegram_paused_seconds_total"
    public static let queueDepth = "exchange_bot_queue_depth"
    public static let keyChecks = "exchange_bot_key_checks_total"
    public static let keyCheckDuration = "exchange_bot_key_check_duration_seconds"
    public static let decisions = "exchange_bot_decisions_total"
    public static let healthChecks = "exchange_bot_health_checks_total"
    public static let rotateKeyRuns = "exchange_bot_rotate_key_runs_total"

    // MARK: Telegram

    /// Updates a `getUpdates` answer (or a webhook call) brought.
    public static func updatesReceived(_ count: Int) {
        guard count > 0 else { return }
        Counter(label: updatesReceived).increment(by: count)
    }

    /// One update handled to its commit.
    public static func updateHandled() {
        Counter(label: updatesHandled).increment()
    }

    /// One update whose handling kept failing (parked).
    public static func updateFailed() {
        Counter(label: updatesFailed).increment()
    }

    /// One Bot API attempt: `method` is the Bot API method this code called; `outcome` is `ok` or the error's kind
    /// (see ``botAPIOutcome(_:)`` in the client).
    public static func botAPICall(method: String, outcome: String) {
        Counter(label: botAPICalls, dimensions: [("method", method), ("outcome", outcome)]).increment()
    }

    /// A 429 answer and the wait it asked for (zero when it named none).
    public static func botAPIRateLimited(method: String, retryAfter: Duration) {
        Counter(label: botAPIRateLimited, dimensions: [("method", method)]).increment()
        let seconds = retryAfter / .seconds(1)
        if seconds > 0 {
            FloatingPointCounter(label: botAPIPausedSeconds).increment(by: seconds)
        }
    }

    // MARK: Queues

    /// Rows waiting in a queue: `inbox` and `outgoing` (channel `telegram`: updates to handle, Bot API calls to
    /// make), `outbox` (channel `events`: key events not yet delivered to every channel; `mail`: emails to send).
    public static func queueDepth(queue: String, channel: String, depth: Int) {
        Gauge(label: queueDepth, dimensions: [("queue", queue), ("channel", channel)]).record(depth)
    }

    // MARK: Keys

    /// One key check at an exchange: `exchange` is an ``ExchangeID`` raw value, `outcome` `valid` or the error's
    /// kind.
    public static func keyCheck(exchange: String, outcome: String, duration: Duration) {
        Counter(label: keyChecks, dimensions: [("exchange", exchange), ("outcome", outcome)]).increment()
        Timer(label: keyCheckDuration, dimensions: [("exchange", exchange)]).record(duration: duration)
    }

    /// An admin's decision that took effect: `decision` `approve` or `reject`, `channel` `telegram` or `rest`.
    public static func decision(_ decision: String, channel: String) {
        Counter(label: decisions, dimensions: [("decision", decision), ("channel", channel)]).increment()
    }

    /// Re-checks of approved keys by their result: `ok`, `deactivated`, `unreachable` (kept, tried again later).
    public static func healthChecks(result: String, count: Int) {
        guard count > 0 else { return }
        Counter(label: healthChecks, dimensions: [("result", result)]).increment(by: count)
    }

    /// One `rotate-key` run: `outcome` `rotated` or `failed`.
    public static func rotateKeyRun(outcome: String) {
        Counter(label: rotateKeyRuns, dimensions: [("outcome", outcome)]).increment()
    }
}

extension Timer {
    /// Records a `Duration` (swift-metrics 2.13 takes nanoseconds).
    fileprivate func record(duration: Duration) {
        let (seconds, attoseconds) = duration.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
