/// Who runs the jobs that must run once per deployment (the Telegram poller and sender, the event relay, the health
/// monitor, the mail sender): the instance that holds this lease.
///
/// On PostgreSQL it is a session-level advisory lock on a connection of its own (`PostgresLeaderLease`); the
/// database is the only arbiter, so no consensus of our own and no extra service is needed.
public protocol LeaderLease: Sendable {
    /// One attempt: the lease, held until it is lost or released, or `nil` while another instance holds it.
    /// Throws when the database cannot be reached (the caller waits and tries again).
    func tryAcquire() async throws -> (any HeldLease)?

    /// Closes what a follower keeps open between attempts (its connection); called once the instance stops asking.
    func close() async
}

/// A lease this instance holds.
public protocol HeldLease: Sendable {
    /// Returns once the lease is lost (its connection closed, the lock no longer answered for in time, or the
    /// listening of ``listen(_:)`` ended), with the reason for the log; returns at once when the calling task is
    /// cancelled. Called once.
    func untilLost() async -> String

    /// Passes on, until the lease is lost or released, each addition another instance makes to a ``SharedQueue``.
    /// Returns once that is in force, so jobs started after it miss nothing: what was added before, they read.
    /// Throws when it cannot be set up (the lease should then be released).
    func listen(_ onChange: @escaping @Sendable (SharedQueue) -> Void) async throws

    /// Gives the lease up (on shutdown) so another instance can take it at once.
    func release() async
}

/// What this instance does in the deployment, for `/healthz` and the logs.
public enum InstanceRole: String, Sendable {
    /// Holds the lease and runs the singleton jobs.
    case leader
    /// Serves REST and waits for the lease.
    case follower
    /// SQLite: one instance per database, always running everything.
    case single
}
