import Foundation

extension Process {
    /// Whether the process has ended, reaped or not; waits on a child's end should loop on this, not `isRunning`.
    ///
    /// On Linux, Foundation learns of a child's end when a socket the child holds closes. A sibling started at the
    /// same moment (three instances launched together, a test in another suite) may inherit that socket and keep
    /// it open, and `isRunning` then stays true for as long as the sibling lives: a wait on it never ends. A dead
    /// child that is not reaped yet is a zombie (state `Z` in `/proc/<pid>/stat`), which counts as ended here.
    /// Its exit status is known only once Foundation reaps it.
    public var hasEnded: Bool {
        guard isRunning else { return true }
        guard let stat = try? String(contentsOfFile: "/proc/\(processIdentifier)/stat", encoding: .utf8) else {
            return true
        }
        // `pid (comm) S …`: the name may hold spaces and parentheses, so the state follows the last ")".
        guard let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first == "Z"
    }
}
