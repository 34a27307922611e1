import Foundation

/// CPU time and resident memory of a process, read from the kernel (Linux: `getrusage` and `/proc`).
///
/// The bench compares ratios within one run, so each phase takes a CPU snapshot before and after, and resets the
/// peak-RSS mark (`VmHWM`) before it starts: otherwise the second phase would report the first one's peak.
public enum ProcessStats {
    /// User plus system CPU seconds this process has used so far, all threads together.
    public static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// `VmRSS` (resident now) of `pid`, in MB; nil when the process or the field is gone.
    public static func residentMegabytes(of pid: String = "self") -> Double? { statusField("VmRSS", of: pid) }

    /// `VmHWM` (the peak resident set since start or since ``resetPeak()``) of `pid`, in MB.
    public static func peakMegabytes(of pid: String = "self") -> Double? { statusField("VmHWM", of: pid) }

    /// Sets this process's `VmHWM` back to its current RSS (`/proc/self/clear_refs`, value 5; Linux 4.0 and
    /// later). Returns false where the kernel refuses, and the peak then covers every phase so far.
    @discardableResult
    public static func resetPeak() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        return (try? handle.write(contentsOf: Data("5".utf8))) != nil
    }

    /// User plus system CPU seconds of another process, all its threads (those ended too).
    ///
    /// Read from the process's CPU clock (`clock_getcpuclockid`), which the scheduler keeps in nanoseconds; where
    /// that is refused, from `/proc/<pid>/stat` (fields 14 and 15), whose clock ticks (10 ms) are too coarse for a
    /// phase of a few dozen updates.
    public static func cpuSeconds(of pid: Int32) -> Double? {
        var clock = clockid_t()
        var time = timespec()
        if clock_getcpuclockid(pid, &clock) == 0, clock_gettime(clock, &time) == 0 {
            return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
        }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // The command name (field 2) may hold spaces; fields after it are plain. State is field 3.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    private static func statusField(_ name: String, of pid: String) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }),
            let kilobytes = line.split(separator: " ").compactMap({ Double($0) }).first
        else { return nil }
        return kilobytes / 1024
    }
}

/// A CPU and wall-clock stopwatch for one measured phase of this process.
public struct PhaseClock {
    private let startWall = ContinuousClock.now
    private let startCPU = ProcessStats.cpuSeconds()

    public init() {}

    public var wallSeconds: Double { (ContinuousClock.now - startWall).seconds }
    public var cpuSeconds: Double { ProcessStats.cpuSeconds() - startCPU }
}

extension Duration {
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
