import Logging
import PostgresNIO

/// The PostgreSQL database the stores share, as a pool of connections: a `PostgresClient` (run it with ``run()``, under the service
/// group) and the logger its queries report to.
///
/// Every store call is one ``transaction(_:)``: what SQLite's single writer gave for free (nothing interleaves a
/// transaction) is asked for explicitly in the SQL (conditional updates, unique indexes, row locks).
public struct PostgresPool: Sendable {
    public let client: PostgresClient
    public let logger: Logger
    /// Which optional columns the platform's `users` table has (``PostgresUsersTable``), looked up once.
    public let usersTable = PostgresUsersTableCache()
    /// How this pool's writes to a ``SharedQueue`` tell the leader, and which notices are this pool's own.
    public let notices = SharedQueueNotices()

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Opens a client for `url`; it does nothing until ``run()`` runs.
    public init(url: PostgresURL, logger: Logger) throws {
        var configuration = try url.clientConfiguration()
        configuration.options.maximumConnections = 8
        self.init(client: PostgresClient(configuration: configuration, backgroundLogger: logger), logger: logger)
    }

    /// Runs the connection pool until the task is cancelled.
    public func run() async {
        await client.run()
    }

    /// Runs the pool in a task of its own (cancel it to stop the pool), returning once that task is about to enter
    /// ``run()``, so the first query does not lease before the pool runs (which PostgresNIO warns about).
    public func runInBackground() async -> Task<Void, Never> {
        let (started, signal) = AsyncStream<Void>.makeStream()
        let task = Task {
            signal.finish()
            await client.run()
        }
        for await _ in started {}
        await Task.yield()
        return task
    }

    /// One transaction: `BEGIN`, the body, `COMMIT` (or `ROLLBACK` when the body throws).
    ///
    /// postgres-nio wraps whatever fails in a `PostgresTransactionError`, whose text says little; the error inside
    /// (the body's own, such as a ``PostgresSchemaError``, or the failed statement's `PSQLError`) is what callers
    /// match on and what ``summary(of:)`` describes, so it is thrown as it is.
    public func transaction<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        do {
            return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch let error as PostgresTransactionError {
            if let inner = error.closureError ?? error.beginError ?? error.commitError { throw inner }
            throw error
        }
    }

    /// Runs `body` on one pooled connection without `BEGIN`/`COMMIT`: for reads that are a single statement, which
    /// is atomic on its own, this saves two round trips to the server per call.
    public func withConnection<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await client.withConnection { connection in try await body(connection) }
    }

    /// A statement (or a read) outside an explicit transaction.
    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresRowSequence {
        try await client.query(query, logger: logger)
    }
}

extension PostgresPool {
    /// A database error's text for logs and people: PostgreSQL's SQLSTATE and message (or the client's error
    /// code), never the statement or its bound values (which may hold encrypted secrets). `nil` for errors that
    /// are not PostgreSQL's.
    public static func summary(of error: any Error) -> String? {
        guard let error = error as? PSQLError else { return nil }
        if let message = error.serverInfo?[.message] {
            let state = error.serverInfo?[.sqlState].map { " \($0)" } ?? ""
            return "PostgreSQL error\(state): \(message)"
        }
        switch error.code {
        case .connectionError: return "PostgreSQL: cannot connect (refused, unreachable or timed out)"
        case .sslUnsupported: return "PostgreSQL: the server does not offer TLS, which sslmode requires"
        case .authMechanismRequiresPassword: return "PostgreSQL: the server asks for a password and the URL has none"
        default: return "PostgreSQL client error: \(error.code.description)"
        }
    }

    /// Opens one connection and closes it: a server that is down or refuses the credentials is reported at once,
    /// with its reason, instead of the pool retrying in the background while callers wait.
    public static func probe(_ url: PostgresURL, logger: Logger) async throws {
        let connection = try await PostgresConnection.connect(
            configuration: try url.connectionConfiguration(),
            id: 0,
            logger: logger
        )
        try await connection.close()
    }
}

extension PostgresPool {
    /// Whether the server answers a trivial query (for health checks).
    public func isReachable() async -> Bool {
        do {
            for try await value in try await query("SELECT 1").decode(Int32.self) { return value == 1 }
            return false
        } catch {
            return false
        }
    }
}
