import Foundation

/// When a mail that failed for a reason that may pass (4xx, timeout, server down) is tried again: after
/// ``firstDelay``, doubling up to ``maximumDelay``, and given up after ``maximumAttempts`` attempts. The defaults
/// (1 minute doubling to 1 hour, 30 attempts) keep trying for about a day, longer than a relay's usual outage and
/// short enough that a notice is not news from last week.
public struct MailRetryPolicy: Sendable, Equatable {
    public var firstDelay: TimeInterval
    public var maximumDelay: TimeInterval
    public var maximumAttempts: Int

    public init(firstDelay: TimeInterval = 60, maximumDelay: TimeInterval = 3600, maximumAttempts: Int = 30) {
        self.firstDelay = firstDelay
        self.maximumDelay = maximumDelay
        self.maximumAttempts = maximumAttempts
    }

    /// The wait after the `attempt`-th failed attempt (1 for the first), or `nil` when it was the last allowed.
    public func delay(afterAttempt attempt: Int) -> TimeInterval? {
        guard attempt < maximumAttempts else { return nil }
        let doublings = min(max(attempt - 1, 0), 40)
        return min(firstDelay * pow(2, Double(doublings)), maximumDelay)
    }
}
