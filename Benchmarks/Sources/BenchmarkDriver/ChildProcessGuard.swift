import Foundation

/// Kills the processes a bench started when the bench itself is stopped (Ctrl-C, `timeout`, SIGHUP).
///
/// Without it a bot under measurement outlives a bench that was stopped half-way: it keeps polling and using CPU
/// in the background, and skews the figures of the next run on the machine. The pids live in a fixed table of
/// plain integers because the signal handler may only read memory and call async-signal-safe functions (`kill`,
/// `_exit`); a word-sized store is not torn on the platforms the benches run on, and a bench registers a handful
/// of processes, one at a time.
public enum ChildProcessGuard {
    static let capacity = 32
    nonisolated(unsafe) static let pids: UnsafeMutablePointer<pid_t> = {
        let table = UnsafeMutablePointer<pid_t>.allocate(capacity: capacity)
        table.initialize(repeating: 0, count: capacity)
        return table
    }()

    /// Installs the handler for SIGINT, SIGTERM and SIGHUP: SIGKILL to every watched process, then exit with
    /// 128 + the signal, as a shell reports a process a signal ended.
    public static func install() {
        _ = pids
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            _ = Foundation.signal(signal, killWatchedAndExit)
        }
    }

    /// Watches `pid` until ``forget(_:)``; a full table leaves it unwatched (a bench starts far fewer).
    public static func watch(_ pid: pid_t) {
        for slot in 0..<capacity where pids[slot] == 0 {
            pids[slot] = pid
            return
        }
    }

    /// Stops watching `pid` (it ended, or the bench stopped it itself).
    public static func forget(_ pid: pid_t) {
        for slot in 0..<capacity where pids[slot] == pid { pids[slot] = 0 }
    }
}

private func killWatchedAndExit(_ signal: Int32) {
    for slot in 0..<ChildProcessGuard.capacity {
        let pid = ChildProcessGuard.pids[slot]
        if pid > 0 { kill(pid, SIGKILL) }
    }
    _exit(128 + signal)
}
