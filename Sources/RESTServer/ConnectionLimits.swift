import Synchronization

/// Bounds on the REST listener's connections, so slow or idle clients cannot use up the file descriptors the bot
/// and SQLite share with it.
public struct ConnectionLimits: Sendable, Equatable {
    /// A connection with no request in progress is closed after this long (Hummingbird's idle timeout).
    public var idleTimeout: Duration
    /// A request head must be complete this long after its first byte arrived (slowloris).
    public var headerTimeout: Duration
    /// A request body must be complete this long after its head (slow uploads).
    public var bodyTimeout: Duration
    /// Connections open at once; beyond it a new connection is answered 503 and closed at once.
    public var maxConnections: Int

    public init(
        idleTimeout: Duration = .seconds(30),
        headerTimeout: Duration = .seconds(10),
        bodyTimeout: Duration = .seconds(30),
        maxConnections: Int = 256
    ) {
        self.idleTimeout = idleTimeout
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.maxConnections = maxConnections
    }
}

/// The number of open connections, shared by every event loop of the listener.
final class ConnectionCounter: Sendable {
    private let open = Atomic<Int>(0)

    /// Counts a new connection; `false` (and not counted) when `limit` are already open.
    func admit(limit: Int) -> Bool {
        var current = open.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = open.compareExchange(
                expected: current,
                desired: current + 1,
                ordering: .relaxed
            )
            if exchanged { return true }
            current = original
        }
        return false
    }

    func release() {
        open.subtract(1, ordering: .relaxed)
    }

    var count: Int { open.load(ordering: .relaxed) }
}
