import BenchmarkDriver
import Foundation
import Logging
import PostgresNIO
import PostgresStorage

/// The PostgreSQL server the `@postgres` bots run on (`--postgres-url`, e.g. from `Benchmarks/postgres/cluster.sh`):
/// each run gets a database of its own, made with `CREATE DATABASE` before the bot starts and dropped after it
/// stops. When the server's postmaster is known (`--postgres-pid`), the flows also count the CPU of PostgreSQL's
/// processes, which do part of the bot's work in other processes than the bot's.
struct PostgresServer: Sendable {
    /// A URL of any database on the server, as a user that may create databases.
    let url: String
    let postmasterPID: Int32?

    /// A fresh, empty database; its name and the URL of it (the server URL with the database replaced).
    func makeDatabase() async throws -> (name: String, url: String) {
        let name = "update_bench_" + UUID().uuidString.prefix(8).lowercased()
        try await administer("CREATE DATABASE \"\(name)\"")
        guard var components = URLComponents(string: url) else { throw BenchFailure("--postgres-url is not a URL") }
        components.path = "/" + name
        guard let databaseURL = components.string else { throw BenchFailure("cannot make a URL for \(name)") }
        return (name, databaseURL)
    }

    /// Drops a database ``makeDatabase()`` made; its bot has stopped, so nothing holds it.
    func dropDatabase(_ name: String) async throws {
        try await administer("DROP DATABASE IF EXISTS \"\(name)\"")
    }

    /// One statement outside a transaction (`CREATE DATABASE` may not run in one), on a pool of its own.
    private func administer(_ statement: String) async throws {
        let parsed: PostgresURL
        do {
            parsed = try PostgresURL(url)
        } catch {
            throw BenchFailure("--postgres-url: \(error)")
        }
        var logger = Logger(label: "update-bench.postgres")
        logger.logLevel = .error
        let pool = try PostgresPool(url: parsed, logger: logger)
        let running = Task { await pool.run() }
        defer { running.cancel() }
        do {
            try await pool.query(PostgresQuery(unsafeSQL: statement))
        } catch {
            throw BenchFailure("\(statement) on \(parsed.redacted): \(PostgresPool.summary(of: error) ?? "\(error)")")
        }
    }

    /// CPU seconds of PostgreSQL's processes so far: user + system time of the postmaster and its live children
    /// (backends, writers), plus the postmaster's reaped children (backends of closed connections). The difference
    /// of two readings is the server's CPU between them. Nil when the postmaster is not known or not readable.
    func cpuSeconds() -> Double? {
        guard let postmaster = postmasterPID else { return nil }
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        var ticks = 0.0
        var sawPostmaster = false
        for entry in entries {
            guard let pid = Int32(entry), let fields = Self.statFields(pid), fields.count > 14 else { continue }
            let own = (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
            if pid == postmaster {
                sawPostmaster = true
                ticks += own + (Double(fields[13]) ?? 0) + (Double(fields[14]) ?? 0)
            } else if Int32(fields[1]) == postmaster {
                ticks += own
            }
        }
        return sawPostmaster ? ticks / Double(sysconf(Int32(_SC_CLK_TCK))) : nil
    }

    /// The fields of `/proc/<pid>/stat` after the command name: state (field 3) first.
    private static func statFields(_ pid: Int32) -> [Substring]? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ")
    }
}
