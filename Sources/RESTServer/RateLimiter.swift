import Foundation

/// Token buckets per caller: each holds up to `requests` tokens and refills at `requests / perSeconds` a second.
///
/// Buckets that are full again are dropped on the next sweep, so memory follows the number of recent callers,
/// not every address ever seen.
public actor RateLimiter {
    public enum Decision: Equatable, Sendable {
        case allowed(remaining: Int)
        /// Refused; a token is back after this many seconds (at least 1).
        case limited(retryAfter: Int)
    }

    private struct Bucket {
        var tokens: Double
        var updated: TimeInterval
    }

    private let capacity: Double
    private let refillPerSecond: Double
    private var buckets: [String: Bucket] = [:]
    private var decisionsSinceSweep = 0

    public init(requests: Int, perSeconds: Int) {
        capacity = Double(max(requests, 1))
        refillPerSecond = Double(max(requests, 1)) / Double(max(perSeconds, 1))
    }

    public func take(_ key: String, now: TimeInterval = Date().timeIntervalSince1970) -> Decision {
        decisionsSinceSweep += 1
        if decisionsSinceSweep >= 1024 { sweep(now: now) }
        var bucket = buckets[key] ?? Bucket(tokens: capacity, updated: now)
        bucket.tokens = min(capacity, bucket.tokens + max(0, now - bucket.updated) * refillPerSecond)
        bucket.updated = now
        defer { buckets[key] = bucket }
        guard bucket.tokens >= 1 else {
            return .limited(retryAfter: max(1, Int(((1 - bucket.tokens) / refillPerSecond).rounded(.up))))
        }
        bucket.tokens -= 1
        return .allowed(remaining: Int(bucket.tokens))
    }

    /// How many callers are tracked (for tests of the sweep).
    public var trackedCallers: Int { buckets.count }

    private func sweep(now: TimeInterval) {
        decisionsSinceSweep = 0
        buckets = buckets.filter { _, bucket in
            bucket.tokens + (now - bucket.updated) * refillPerSecond < capacity
        }
    }
}
