import Foundation
import Logging
import PostgresNIO
import PostgresStorage

/// A throw-away PostgreSQL cluster for the tests: made once per test process with `initdb` (as the `postgres`
/// user when the tests run as root, since PostgreSQL refuses to run as root), listening on a free port of
/// 127.0.0.1 with its socket in a folder of its own, and stopped when the process exits. Each suite takes a fresh
/// database of its own with ``makeDatabase(_:)``.
///
/// The superuser has a password full of URL escapes, so every connection also proves that a `DATABASE_URL` password
/// is decoded (`scram-sha-256` over TCP).
public final class PostgresTestServer: Sendable {
    public static let password = "p@ss:w/rd%20 ok?"
    public let port: Int
    public let folder: String

    /// Why PostgreSQL tests cannot run here, if they cannot: no PostgreSQL binaries (`scripts/install-dependencies.sh`
    /// installs them).
    public static let unavailableReason: String? = {
        guard binDirectory != nil else {
            return "PostgreSQL is not installed (no initdb found; scripts/install-dependencies.sh installs it)"
        }
        return nil
    }()

    public static var isAvailable: Bool { unavailableReason == nil }

    /// The cluster of this process, started on first use.
    public static func shared() async throws -> PostgresTestServer {
        try await starting.value
    }

    /// Started once, off Swift's cooperative threads: `initdb` and `pg_ctl` take seconds, and blocking the pool's
    /// threads (two on a 2-core machine) that long would stall every other test in flight.
    private static let starting = Task { try await offThePool { try PostgresTestServer() } }

    private static let binDirectory: String? = {
        let candidates =
            ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }
            .map { "/usr/lib/postgresql/\($0)/bin" }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") }
    }()

    private init() throws {
        guard let bin = Self.binDirectory else { throw Failure(Self.unavailableReason ?? "no PostgreSQL") }
        folder = "/tmp/exchange-bot-pg-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        port = try FreePort.loopback()
        let fileManager = FileManager.default
        try fileManager.createDirectory(atPath: folder + "/socket", withIntermediateDirectories: true)
        try Data((Self.password + "\n").utf8).write(to: URL(fileURLWithPath: folder + "/password"))
        if geteuid() == 0 {
            try Self.run("/bin/chown", ["-R", "postgres:postgres", folder])
        }
        try Self.run(
            bin + "/initdb",
            [
                "-D", folder + "/data", "-U", "postgres", "--pwfile=" + folder + "/password",
                "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--locale=C", "--no-sync",
            ]
        )
        try Self.run(
            bin + "/pg_ctl",
            [
                "-D", folder + "/data", "-l", folder + "/server.log", "-w", "-t", "60", "start", "-o",
                "-p \(port) -k \(folder)/socket -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
                    + " -c synchronous_commit=off -c full_page_writes=off",
            ]
        )
        // The cluster goes when this process goes, however it goes (a crash or a kill runs no exit handler): a
        // watchdog polls for the test process and then stops the server and removes its folder.
        try Self.spawnDetached([
            "/bin/sh", "-c",
            "while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done; "
                + (geteuid() == 0 ? "runuser -u postgres -- " : "")
                + "\(bin)/pg_ctl -D \(folder)/data -m immediate -w stop >/dev/null 2>&1; rm -rf \(folder)",
        ])
    }

    /// Adds "close every descriptor from 3 up" to `actions`: glibc's `posix_spawn_file_actions_addclosefrom_np`
    /// (2.34+), looked up at run time since Swift's Glibc module does not export the `_np` functions.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return }
        _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
    }

    /// Starts a program that outlives this process, with no descriptor of ours.
    private static func spawnDetached(_ argv: [String]) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor: Int32 in 0...2 {
            posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", O_RDWR, 0)
        }
        closeInheritedDescriptors(&actions)
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, &cArguments, environ)
        guard spawned == 0 else { throw Failure("cannot start \(argv[0]) (errno \(spawned))") }
    }

    /// A fresh, empty database; its URL (`sslmode=disable`, the superuser's escaped password).
    public func makeDatabase(_ prefix: String = "t") async throws -> String {
        let name =
            "\(prefix.lowercased().filter { $0.isLetter || $0.isNumber })_\(UUID().uuidString.prefix(8).lowercased())"
        try await psql("CREATE DATABASE \"\(name)\"")
        return url(database: name)
    }

    /// The URL of `database` on this server.
    public func url(database: String, options: String = "sslmode=disable") -> String {
        let escaped = Self.password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        return "postgresql://postgres:\(escaped)@127.0.0.1:\(port)/\(database)?\(options)"
    }

    /// Runs SQL through `psql` over the server's socket (as the superuser, no password).
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres") async throws -> String {
        let (bin, folder, port) = (Self.binDirectory!, folder, port)
        return try await offThePool {
            try Self.run(
                bin + "/psql",
                [
                    "-h", folder + "/socket", "-p", "\(port)", "-U", "postgres", "-d", database, "-v",
                    "ON_ERROR_STOP=1",
                    "-At", "-c", sql,
                ]
            )
        }
    }

    /// Every row of `database` as `pg_dump` writes it (data only): what "no secret in plain text" checks search.
    public func dump(database: String) async throws -> String {
        let (bin, folder, port) = (Self.binDirectory!, folder, port)
        return try await offThePool {
            try Self.run(
                bin + "/pg_dump",
                ["-h", folder + "/socket", "-p", "\(port)", "-U", "postgres", "--data-only", database]
            )
        }
    }

    /// The database name at the end of a URL this server made.
    public static func databaseName(in url: String) -> String {
        let path = url.split(separator: "?")[0]
        return String(path.split(separator: "/").last ?? "")
    }

    /// A running `PostgresPool` on a fresh database; cancel the returned task to stop its pool.
    public func openDatabase(_ prefix: String = "t") async throws -> (
        PostgresPool, url: String, pool: Task<Void, Never>
    ) {
        let url = try await makeDatabase(prefix)
        let database = try PostgresPool(url: try PostgresURL(url), logger: Logger(label: "postgres-tests"))
        let pool = await database.runInBackground()
        return (database, url, pool)
    }

    /// Runs a program (as `postgres` when we are root, for the server's programs) and returns its output.
    ///
    /// Spawned by hand, closing every inherited descriptor, rather than with Foundation's `Process`: `pg_ctl start`
    /// leaves the server running with whatever descriptors it inherited, and `Process` learns that its child ended
    /// only when all holders of a descriptor it passes have closed it, which a server never does.
    @discardableResult
    static func run(_ program: String, _ arguments: [String]) throws -> String {
        let asPostgres = geteuid() == 0 && program.hasPrefix("/usr/lib/postgresql")
        // From /tmp, which the `postgres` user may enter (the checkout may be under a folder it may not).
        let argv =
            ["/bin/sh", "-c", "cd /tmp && exec \"$@\"", "sh"]
            + (asPostgres ? ["/usr/sbin/runuser", "-u", "postgres", "--", program] : [program]) + arguments
        let outputPath = "/tmp/exchange-bot-pg-output-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        closeInheritedDescriptors(&actions)
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { for pointer in cArguments { free(pointer) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, &cArguments, environ)
        guard spawned == 0 else { throw Failure("cannot start \(argv[0]) (errno \(spawned))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        guard exitCode == 0 else {
            throw Failure("\((program as NSString).lastPathComponent) failed (\(exitCode)): \(text)")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }
}
