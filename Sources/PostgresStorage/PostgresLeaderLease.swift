import ExchangeBotCore
import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// The leader lease on PostgreSQL: a session-level `pg_try_advisory_lock` held on a connection of its own, outside
/// the pool, so it lives exactly as long as that one session.
///
/// The server frees a session lock when the session ends, which is when the holder's process dies (the kernel closes
/// its socket, so a `kill -9` frees it at once) or when the server gives up on a peer that stopped answering. For
/// that last case the session sets the server's TCP settings for its own socket (``Timing``):
/// `tcp_keepalives_idle=5`, `tcp_keepalives_interval=1`, `tcp_keepalives_count=3` and `tcp_user_timeout=8000` ms, so a
/// leader cut off from the database loses the lock after about 8 s. These are server-side GUCs set on the session
/// (postgres-nio offers no socket options), chosen because the server is the side that frees the lock: the client's
/// own keepalive would only tell the leader, which learns it sooner from its checks. The leader checks the lock
/// every second and takes the lease as lost after 2 s without an answer, well before the server frees it, so a
/// leader that cannot reach the database has stopped before another instance can start. A connection through a
/// transaction-pooling proxy (PgBouncer in transaction mode) cannot hold a session lock: point `DATABASE_URL` at the
/// server or a session-pooling proxy.
public actor PostgresLeaderLease: LeaderLease {
    /// "exbotldr" in ASCII: one lock per database for every instance of this product.
    public static let lockKey: Int64 = 0x6578_626F_746C_6472

    /// How the lease is kept and how a dead peer is noticed (see the type's documentation for why these values).
    public struct Timing: Sendable {
        /// How often the leader asks its connection whether it still holds the lock.
        public var heartbeat: Duration = .seconds(1)
        /// How long a lease query may take before the lease is taken as lost (or a follower's attempt as failed).
        public var answerTimeout: Duration = .seconds(2)
        public var connectTimeout: Duration = .seconds(5)
        /// The server's keepalive on the lease's socket: idle seconds, seconds between probes, probes.
        public var keepalive = (idle: 5, interval: 1, count: 3)
        /// The server's `tcp_user_timeout` on the lease's socket, in milliseconds.
        public var userTimeoutMilliseconds = 8000

        public init() {}
    }

    private let configuration: PostgresConnection.Configuration
    private let timing: Timing
    private let notices: SharedQueueNotices
    private let logger: Logger
    /// A follower's connection, kept between attempts.
    private var waiting: PostgresConnection?
    private var connections = 0

    /// - Parameter notices: the notices of this instance's pool, which a leader skips (see ``SharedQueueNotices``).
    public init(url: PostgresURL, notices: SharedQueueNotices, timing: Timing = Timing(), logger: Logger) throws {
        var configuration = try url.connectionConfiguration()
        configuration.options.connectTimeout = .seconds(max(1, timing.connectTimeout.components.seconds))
        self.configuration = configuration
        self.timing = timing
        self.notices = notices
        self.logger = logger
    }

    public func tryAcquire() async throws -> (any HeldLease)? {
        let connection = try await connection()
        let logger = logger
        let acquired: Bool
        do {
            acquired = try await Self.answer(within: timing.answerTimeout, closing: connection) {
                try await Self.firstBool("SELECT pg_try_advisory_lock(\(Self.lockKey))", on: connection, logger: logger)
            }
        } catch {
            waiting = nil
            try? await connection.close()
            throw error
        }
        guard acquired else { return nil }
        waiting = nil
        return PostgresHeldLease(connection: connection, timing: timing, notices: notices, logger: logger)
    }

    public func close() async {
        try? await waiting?.close()
        waiting = nil
    }

    /// The TCP settings in force on this instance's lease connection, by name (for diagnostics and tests).
    public func sessionSettings() async throws -> [String: String] {
        let connection = try await connection()
        var settings = [String: String]()
        for name in ["tcp_keepalives_idle", "tcp_keepalives_interval", "tcp_keepalives_count", "tcp_user_timeout"] {
            let rows = try await connection.query("SELECT current_setting(\(name))", logger: logger)
            for try await value in rows.decode(String.self) { settings[name] = value }
        }
        return settings
    }

    /// The follower's connection, opened (with the keepalive settings) when there is none.
    private func connection() async throws -> PostgresConnection {
        if let waiting, !waiting.isClosed { return waiting }
        connections += 1
        let connection = try await PostgresConnection.connect(
            configuration: configuration,
            id: connections,
            logger: logger
        )
        do {
            let (keepalive, userTimeout, logger) = (timing.keepalive, timing.userTimeoutMilliseconds, logger)
            try await Self.answer(within: timing.answerTimeout, closing: connection) {
                try await connection.query(
                    """
                    SELECT set_config('tcp_keepalives_idle', \(String(keepalive.idle)), false),
                        set_config('tcp_keepalives_interval', \(String(keepalive.interval)), false),
                        set_config('tcp_keepalives_count', \(String(keepalive.count)), false),
                        set_config('tcp_user_timeout', \(String(userTimeout)), false),
                        set_config('application_name', 'exchange-bot leader lease', false)
                    """,
                    logger: logger
                )
            }
        } catch {
            try? await connection.close()
            throw error
        }
        waiting = connection
        return connection
    }

    /// Runs `body`, giving up after `limit`: the connection is then closed so the query in flight fails and its
    /// task ends (a query to a server that stopped answering would otherwise wait for TCP to give up).
    static func answer<Value: Sendable>(
        within limit: Duration,
        closing connection: PostgresConnection,
        _ body: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        do {
            return try await withThrowingTaskGroup(of: Value?.self) { group in
                group.addTask { try await body() }
                group.addTask {
                    try await Task.sleep(for: limit)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let value = first else { throw LeaseTimeout() }
                return value
            }
        } catch {
            try? await connection.close()
            throw error
        }
    }

    static func firstBool(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws
        -> Bool
    {
        for try await value in try await connection.query(query, logger: logger).decode(Bool.self) { return value }
        return false
    }
}

extension PostgresLeaderLease {
    /// The text of the lease's own errors (no answer in time, a listener that ended), for logs; `nil` for others.
    public static func summary(of error: any Error) -> String? {
        switch error {
        case let error as LeaseTimeout: error.description
        case let error as ListenEnded: error.description
        default: nil
        }
    }
}

/// The lease's session stopped listening before `LISTEN` was confirmed.
struct ListenEnded: Error, CustomStringConvertible {
    var description: String { "the lease's connection stopped listening for other instances' notices" }
}

/// A lease query that got no answer in time.
struct LeaseTimeout: Error, CustomStringConvertible {
    var description: String { "PostgreSQL did not answer in time" }
}

/// The lock held on its connection: lost when the connection closes, a check does not confirm it in time, or the
/// session stops passing on the other instances' ``SharedQueueNotices`` (it listens for them, so the leader hears
/// them exactly as long as it leads; a new term listens again).
final class PostgresHeldLease: HeldLease {
    private let connection: PostgresConnection
    private let timing: PostgresLeaderLease.Timing
    private let notices: SharedQueueNotices
    private let logger: Logger
    /// The task that passes notices on, from ``listen(_:)`` until ``release()``, and a stream that ends with it.
    private let listener = Mutex<(task: Task<Void, Never>, ended: AsyncStream<Void>)?>(nil)

    init(
        connection: PostgresConnection,
        timing: PostgresLeaderLease.Timing,
        notices: SharedQueueNotices,
        logger: Logger
    ) {
        self.connection = connection
        self.timing = timing
        self.notices = notices
        self.logger = logger
    }

    func listen(_ onChange: @escaping @Sendable (SharedQueue) -> Void) async throws {
        let (listening, started) = AsyncThrowingStream<Void, any Error>.makeStream()
        let (ended, end) = AsyncStream<Void>.makeStream()
        let (connection, notices) = (connection, notices)
        let task = Task {
            defer { end.finish() }
            do {
                // PostgresNIO calls the closure once the server has confirmed `LISTEN`.
                try await connection.listen(on: SharedQueueNotices.channel) { received in
                    started.yield()
                    for try await notice in received {
                        if let queue = notices.queue(in: notice.payload) { onChange(queue) }
                    }
                }
                started.finish()
            } catch {
                started.finish(throwing: error)
            }
        }
        listener.withLock { $0 = (task, ended) }
        try await PostgresLeaderLease.answer(within: timing.answerTimeout, closing: connection) {
            for try await _ in listening { return }
            throw ListenEnded()
        }
    }

    func untilLost() async -> String {
        await withTaskGroup(of: String?.self) { group in
            group.addTask { await self.closed() }
            group.addTask { await self.checks() }
            // A leader deaf to the other instances' notices would leave what they queue to the safety rescan.
            if let ended = listener.withLock({ $0?.ended }) {
                group.addTask {
                    for await _ in ended {}
                    return Task.isCancelled ? nil : "the lease's connection stopped passing on other instances' notices"
                }
            }
            let reason = await group.next() ?? nil
            group.cancelAll()
            return reason ?? "stopped"
        }
    }

    func release() async {
        listener.withLock { $0?.task }?.cancel()
        try? await connection.close()
    }

    /// Returns when the connection closes (the server ended the session, the socket failed), `nil` if cancelled.
    private func closed() async -> String? {
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        connection.closeFuture.whenComplete { _ in continuation.finish() }
        for await _ in stream {}
        return Task.isCancelled ? nil : "the lease's database connection closed"
    }

    /// Asks every ``PostgresLeaderLease/Timing/heartbeat`` whether this session still holds the lock (in
    /// `pg_locks`: a bigint advisory lock is `classid` = high half, `objid` = low half, `objsubid` = 1).
    private func checks() async -> String? {
        let key = PostgresLeaderLease.lockKey
        let (high, low) = (key >> 32, key & 0xFFFF_FFFF)
        let connection = connection
        let logger = logger
        while true {
            guard (try? await Task.sleep(for: timing.heartbeat)) != nil else { return nil }
            do {
                let held = try await PostgresLeaderLease.answer(within: timing.answerTimeout, closing: connection) {
                    try await PostgresLeaderLease.firstBool(
                        """
                        SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
                            AND pid = pg_backend_pid() AND classid = \(high)::oid AND objid = \(low)::oid
                            AND objsubid = 1)
                        """,
                        on: connection,
                        logger: logger
                    )
                }
                if !held { return "the lease's lock is no longer held by this session" }
            } catch {
                if Task.isCancelled { return nil }
                if error is LeaseTimeout { return "no answer to the lease check within \(timing.answerTimeout)" }
                return "the lease check failed (\(PostgresPool.summary(of: error) ?? "\(error)"))"
            }
        }
    }
}
