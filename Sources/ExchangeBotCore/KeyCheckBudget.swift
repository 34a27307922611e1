import Foundation

/// How many key checks (each a signed call to an exchange) one user may start in a window of time, over the REST
/// API and the bot together (`API_KEY_SUBMIT_LIMIT`).
///
/// It is counted from the audit log, so it holds across restarts and across several processes sharing the
/// database: a flood of submissions cannot get the server's address banned by an exchange.
public struct KeyCheckBudget: Sendable, Equatable {
    public var checks: Int
    public var window: TimeInterval

    public init(checks: Int, window: TimeInterval) {
        self.checks = checks
        self.window = window
    }
}

/// Whether a key check may start.
public enum KeyCheckGrant: Sendable, Equatable {
    case granted
    /// The budget is spent; the oldest check in the window leaves it after this many seconds.
    case exhausted(retryAfterSeconds: Int)
}

/// Something wrong on the service's side that an operator must hear of (the composition root logs it at error
/// level); never a user's mistake, never a secret.
public enum ServiceProblem: Sendable, Equatable {
    /// An outbox row could not be read; it was parked and will not be delivered.
    case outboxEventParked(outboxID: Int64)
    /// A health check could not check a key for the service's own reason (`code`: `secret_unreadable`, a secret
    /// no configured master key opens; `unknown_exchange`); the key was left as it was.
    case keyUncheckable(keyID: Int64, code: String)
}
