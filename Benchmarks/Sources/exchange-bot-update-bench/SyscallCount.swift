import BenchmarkDriver
import Foundation

/// `strace -c -f` attached to a running process for the length of some work: system calls by name.
///
/// Tracing slows every system call by an order of magnitude, so the bench counts calls in a phase of their own and
/// never times work while tracing.
struct SyscallCount {
    /// Calls per system call name, over the traced window.
    let calls: [String: Int]
    let total: Int

    /// Where `strace` is, or nil.
    static var strace: String? {
        ["/usr/bin/strace", "/bin/strace", "/usr/local/bin/strace"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// Attaches to `pid` (every thread), runs `work`, waits `tail` for work the process finishes afterwards, then
    /// detaches and reads the summary.
    static func during(
        pid: Int32,
        tail: Duration = .milliseconds(500),
        _ work: () async throws -> Void
    ) async throws -> SyscallCount {
        guard let strace else { throw BenchFailure("no strace (apt-get install -y strace, or --strace-updates 0)") }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("strace-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: output) }
        let messages = output.path + ".stderr"
        defer { try? FileManager.default.removeItem(atPath: messages) }
        _ = FileManager.default.createFile(atPath: messages, contents: nil)
        let tracer = Process()
        tracer.executableURL = URL(fileURLWithPath: strace)
        tracer.arguments = ["-c", "-f", "-o", output.path, "-p", String(pid)]
        tracer.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: messages))
        tracer.standardOutput = FileHandle.nullDevice
        try tracer.run()
        // strace says "Process N attached" once it traces the process; threads follow within moments.
        let started = ContinuousClock.now
        while !((try? String(contentsOfFile: messages, encoding: .utf8)) ?? "").contains("attached") {
            guard tracer.isRunning, ContinuousClock.now - started < .seconds(10) else {
                tracer.interrupt()
                throw BenchFailure(
                    "strace did not attach: " + ((try? String(contentsOfFile: messages, encoding: .utf8)) ?? "")
                )
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: .milliseconds(300))
        do {
            try await work()
            try await Task.sleep(for: tail)
        } catch {
            tracer.interrupt()
            tracer.waitUntilExit()
            throw error
        }
        tracer.interrupt()
        while tracer.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        let summary = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        guard let parsed = parse(summary) else {
            throw BenchFailure("strace gave no summary (is ptrace allowed here?):\n" + summary)
        }
        return parsed
    }

    /// Calls per update, by name, largest first.
    func perUpdate(_ updates: Int) -> [(name: String, calls: Double)] {
        calls.map { ($0.key, Double($0.value) / Double(updates)) }.sorted { $0.calls > $1.calls }
    }

    /// The table `strace -c` prints: `% time, seconds, usecs/call, calls, [errors], syscall`, then a `total` row.
    static func parse(_ summary: String) -> SyscallCount? {
        var calls = [String: Int]()
        var total: Int?
        for line in summary.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 5, Double(fields[0]) != nil, let count = Int(fields[3]) else { continue }
            let name = String(fields[fields.count - 1])
            if name == "total" { total = count } else { calls[name, default: 0] += count }
        }
        guard let total else { return nil }
        return SyscallCount(calls: calls, total: total)
    }
}
