import BenchmarkDriver
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A helper tool the bench starts and later stops with a signal (`perf trace`), started with `posix_spawn` in a
/// clean signal state and waited for with a deadline.
///
/// Foundation's `Process.run()` spawns from the calling thread without `POSIX_SPAWN_SETSIGMASK`, so the child
/// keeps that thread's signal mask. Swift tasks run on Dispatch worker threads, which block every asynchronous
/// signal, so a tool started by `Process` from a task starts with SIGINT, SIGTERM and SIGHUP blocked: `interrupt()`
/// and `terminate()` leave the signal pending for good, and a loop on `isRunning` waits for ever. Here the child
/// starts with an empty mask and those signals at their default action. It stays in the bench's process group, so
/// Ctrl-C at a terminal stops it along with the bench.
final class SpawnedProcess {
    let pid: pid_t
    let executable: String
    /// The raw `waitpid` status, once the process was reaped.
    private(set) var status: Int32?

    /// Starts `executable` with `arguments`, standard input and output on `/dev/null`, standard error appended to
    /// `standardErrorPath`, and no descriptor of the bench but those three.
    init(_ executable: String, _ arguments: [String], standardErrorPath: String) throws {
        self.executable = executable
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // `addclosefrom_np` is not visible to Swift (it needs _GNU_SOURCE); closing what is open now is enough, and
        // glibc ignores a close action on a descriptor closed in the meantime.
        for descriptor in Self.openDescriptors() where descriptor > 2 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, standardErrorPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid = pid_t()
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard result == 0 else {
            throw BenchFailure("could not start \(executable): \(String(cString: strerror(result)))")
        }
        self.pid = pid
        ChildProcessGuard.watch(pid)
    }

    /// Whether the process has ended; reaps it the first time.
    var hasExited: Bool {
        if status != nil { return true }
        var raw: Int32 = 0
        let reaped = waitpid(pid, &raw, WNOHANG)
        if reaped == pid || (reaped == -1 && errno == ECHILD) {
            status = raw
            ChildProcessGuard.forget(pid)
            return true
        }
        return false
    }

    /// "status N" or "signal N", once it ended.
    var exitDescription: String {
        guard let status else { return "still running" }
        return status & 0x7f == 0 ? "status \((status >> 8) & 0xff)" : "signal \(status & 0x7f)"
    }

    /// Polls for the end of the process until `timeout`, without holding a thread; whether it ended.
    func waitForExit(within timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !hasExited {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// Sends `signal` and waits up to `timeout` for the process to end; if it does not, SIGKILL and up to 5 s more.
    /// Returns whether `signal` ended it.
    func stop(with signal: Int32, within timeout: Duration) async -> Bool {
        guard !hasExited else { return true }
        kill(pid, signal)
        if await waitForExit(within: timeout) { return true }
        kill(pid, SIGKILL)
        _ = await waitForExit(within: .seconds(5))
        return false
    }

    private static func openDescriptors() -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return names.compactMap { Int32($0) }
    }
}
