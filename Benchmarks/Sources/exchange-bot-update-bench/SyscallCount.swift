import BenchmarkDriver
import Foundation

/// System calls by name of a running process over some work, counted by `perf trace -s -p` (every thread).
///
/// `perf trace` reads the kernel's syscall tracepoints, so unlike `strace -p` it does not stop the traced threads
/// with ptrace. Tracing still costs each system call some time, so the bench counts calls in a phase of their own and
/// never times work while tracing. The tracer is started by ``SpawnedProcess``, not Foundation's `Process`, whose
/// children ignore the SIGINT that ends the trace (see there).
struct SyscallCount {
    /// Calls per system call name, over the traced window.
    let calls: [String: Int]
    let total: Int

    /// Where `perf` is, or nil.
    static var perf: String? {
        ["/usr/bin/perf", "/usr/local/bin/perf"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Starts tracing `pid`, runs `work`, waits `tail` for work the process finishes afterwards, then stops the
    /// tracer (SIGINT, on which `perf trace` writes its summary) and reads the summary.
    ///
    /// Every wait on the tracer has a deadline: a tracer that does not attach, or does not stop, fails the run with
    /// ``BenchFailure`` instead of holding it.
    static func during(
        pid: Int32,
        tail: Duration = .milliseconds(500),
        _ work: () async throws -> Void
    ) async throws -> SyscallCount {
        guard let perf else {
            throw BenchFailure("no perf (apt-get install -y linux-perf, or --syscall-updates 0)")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("perf-trace-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("summary").path
        let errors = folder.appendingPathComponent("stderr").path
        let tracer = try SpawnedProcess(
            perf,
            ["trace", "-s", "-p", String(pid), "-o", output],
            standardErrorPath: errors
        )
        // perf writes its own errors to the -o file, and only some to standard error.
        func failure(_ what: String) -> BenchFailure {
            let said = [errors, output].compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }
            return BenchFailure("perf trace -p \(pid) \(what); it said:\n" + said.joined())
        }
        do {
            try await waitUntilAttached(tracer, failure: failure)
            try await work()
            try await Task.sleep(for: tail)
        } catch {
            _ = await tracer.stop(with: SIGINT, within: .seconds(5))
            throw error
        }
        guard await tracer.stop(with: SIGINT, within: stopTimeout) else {
            throw failure("did not stop within \(stopTimeout) of SIGINT (killed)")
        }
        let summary = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        guard let parsed = parse(summary), parsed.total > 0 else {
            throw failure("ended with \(tracer.exitDescription) and no summary with calls in it")
        }
        return parsed
    }

    /// How long `perf trace` may take to write its summary after SIGINT.
    static let stopTimeout: Duration = .seconds(30)

    /// `perf trace` prints nothing once it traces. It opens one event per system call tracepoint and thread of the
    /// target, then enables them all: it is taken as attached once it holds perf_event descriptors and their number
    /// has not changed for 300 ms, plus 200 ms for the enabling. The caller stops the tracer when this throws.
    private static func waitUntilAttached(
        _ tracer: SpawnedProcess,
        timeout: Duration = .seconds(15),
        failure: (String) -> BenchFailure
    ) async throws {
        let started = ContinuousClock.now
        var last = 0
        var stableSince = started
        while true {
            guard !tracer.hasExited else {
                throw failure(
                    "stopped at once with \(tracer.exitDescription) (are tracepoints readable? "
                        + "mount -t tracefs nodev /sys/kernel/tracing)"
                )
            }
            let now = ContinuousClock.now
            let count = eventDescriptors(of: tracer.pid)
            if count != last {
                last = count
                stableSince = now
            } else if count > 0, now - stableSince >= .milliseconds(300) {
                break
            }
            guard now - started < timeout else {
                throw failure("had not opened its trace events within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        try await Task.sleep(for: .milliseconds(200))
    }

    /// The perf_event descriptors `pid` holds.
    private static func eventDescriptors(of pid: pid_t) -> Int {
        let folder = "/proc/\(pid)/fd"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter {
            (try? FileManager.default.destinationOfSymbolicLink(atPath: folder + "/" + $0)) == "anon_inode:[perf_event]"
        }.count
    }

    /// Calls per update, by name, largest first.
    func perUpdate(_ updates: Int) -> [(name: String, calls: Double)] {
        calls.map { ($0.key, Double($0.value) / Double(updates)) }.sorted { $0.calls > $1.calls }
    }

    /// The summary `perf trace -s` prints: one table per thread, rows of `syscall calls errors total min avg max
    /// stddev`; the calls of every thread are added up by name.
    static func parse(_ summary: String) -> SyscallCount? {
        guard summary.contains("Summary of events") else { return nil }
        var calls = [String: Int]()
        for line in summary.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 8, let count = Int(fields[1]), Int(fields[2]) != nil, Double(fields[3]) != nil
            else { continue }
            calls[String(fields[0]), default: 0] += count
        }
        return SyscallCount(calls: calls, total: calls.values.reduce(0, +))
    }
}
