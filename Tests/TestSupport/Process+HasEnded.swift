import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension Process {
    /// How the child ended (its exit code, or the signal that ended it, as `terminationStatus` says), reaped by
    /// Foundation or not; nil while it runs. Waits on a child's end should loop on this (or ``hasEnded``), not on
    /// `isRunning`.
    ///
    /// On Linux, Foundation learns of a child's end when a socket the child holds closes. A sibling started at the
    /// same moment (three instances launched together, a test in another suite) may inherit that socket and keep
    /// it open, and `isRunning` then stays true for as long as the sibling lives: a wait on it never ends, and
    /// `terminationStatus` traps. `waitid` with `WNOWAIT` reads a dead child's status without reaping it, so
    /// Foundation still reaps it later.
    public var endStatus: Int32? {
        if !isRunning { return terminationStatus }
        var info = siginfo_t()
        let pid = processIdentifier
        guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0,
            info._sifields._sigchld.si_pid == pid
        else {
            // Still running, or reaped by Foundation since `isRunning` was read.
            return isRunning ? nil : terminationStatus
        }
        return info._sifields._sigchld.si_status
    }

    /// Whether the process has ended, reaped or not (see ``endStatus``).
    public var hasEnded: Bool { endStatus != nil }
}
