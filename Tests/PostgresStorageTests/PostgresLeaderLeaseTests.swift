import ExchangeBotCore
import Foundation
import Logging
import PostgresNIO
import PostgresStorage
import TestSupport
import Testing

/// The leader lease on a real server: one holder at a time, lost the moment its session is killed
/// (`pg_terminate_backend`), free at once when released, and held with the keepalive settings it promises.
@Suite(.enabled(if: PostgresTestServer.isAvailable, "PostgreSQL is not installed"))
struct PostgresLeaderLeaseTests {
    let logger = Logger(label: "lease-tests")

    func leaseRow(_ pool: PostgresPool) async throws -> (pid: Int32, settings: String)? {
        let key = PostgresLeaderLease.lockKey
        let rows = try await pool.query(
            """
            SELECT l.pid, a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.classid = \(key >> 32)::oid
                AND l.objid = \(key & 0xFFFF_FFFF)::oid AND l.objsubid = 1
                AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """
        )
        for try await (pid, name) in rows.decode((Int32, String).self) { return (pid, name) }
        return nil
    }

    @Test func oneHolderAtATimeAndATerminatedSessionLosesTheLeaseAtOnce() async throws {
        let server = try await PostgresTestServer.shared()
        let (pool, url, task) = try await server.openDatabase("lease")
        defer { task.cancel() }
        let first = try PostgresLeaderLease(url: try PostgresURL(url), notices: SharedQueueNotices(), logger: logger)
        let second = try PostgresLeaderLease(url: try PostgresURL(url), notices: SharedQueueNotices(), logger: logger)
        let held = try #require(try await first.tryAcquire())
        #expect(try await second.tryAcquire() == nil, "a second instance must wait")
        #expect(try await second.tryAcquire() == nil, "and keeps waiting on the same connection")

        let (pid, name) = try #require(try await leaseRow(pool))
        #expect(name == "exchange-bot leader lease")
        let lost = Task { await held.untilLost() }
        let started = ContinuousClock.now
        try await server.psql("SELECT pg_terminate_backend(\(pid))", database: PostgresTestServer.databaseName(in: url))
        let reason = await lost.value
        let noticed = ContinuousClock.now - started
        #expect(reason.contains("closed") || reason.contains("check"), "\(reason)")
        #expect(noticed < .seconds(3), "noticed after \(noticed)")
        let next = try #require(try await second.tryAcquire(), "the lock is free once the session is gone")
        await next.release()
        let again = try #require(try await first.tryAcquire(), "released: free at once")
        await again.release()
        await first.close()
        await second.close()
    }

    @Test func theLeaseSessionSetsTheServersKeepaliveForItsSocket() async throws {
        let server = try await PostgresTestServer.shared()
        let (pool, url, task) = try await server.openDatabase("lease")
        defer { task.cancel() }
        let lease = try PostgresLeaderLease(url: try PostgresURL(url), notices: SharedQueueNotices(), logger: logger)
        let held = try #require(try await lease.tryAcquire())
        // Another session's settings are not visible from outside: a waiting lease reads those of its own
        // connection, set the same way (they apply to TCP connections, as the test server's are).
        #expect(try await leaseRow(pool) != nil)
        let probe = try PostgresLeaderLease(url: try PostgresURL(url), notices: SharedQueueNotices(), logger: logger)
        #expect(try await probe.tryAcquire() == nil)
        let settings = try await probe.sessionSettings()
        #expect(settings["tcp_keepalives_idle"] == "5", "\(settings)")
        #expect(settings["tcp_keepalives_interval"] == "1")
        #expect(settings["tcp_keepalives_count"] == "3")
        #expect(settings["tcp_user_timeout"] == "8000" || settings["tcp_user_timeout"] == "8s", "\(settings)")
        await held.release()
        await lease.close()
        await probe.close()
    }
}
