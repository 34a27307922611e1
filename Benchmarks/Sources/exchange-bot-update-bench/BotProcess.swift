import BenchmarkDriver
import BenchmarkFakes
import Foundation

/// One `exchange-bot run` process under measurement: started with the world's environment, its standard error
/// kept in a file, its CPU time and memory read from `/proc/<pid>`.
final class BotProcess {
    let process = Process()
    let errorPath: String
    var pid: Int32 { process.processIdentifier }

    /// Starts the binary and returns once it said "exchange-bot ready" and long-polls the fake Bot API.
    init(binary: String, world: FakeWorld, logLevel: String, databaseURL: String?) async throws {
        errorPath = world.folder.path("stderr.log")
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["run"]
        process.environment = try world.environment(logLevel: logLevel, databaseURL: databaseURL)
        process.currentDirectoryURL = world.folder.url
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        process.standardOutput = FileHandle.nullDevice
        let launched = ContinuousClock.now
        try process.run()
        ChildProcessGuard.watch(process.processIdentifier)
        while !errors.contains("exchange-bot ready") {
            guard process.isRunning, ContinuousClock.now - launched < .seconds(30) else {
                kill()
                throw BenchFailure("\(binary) run did not get ready; its standard error:\n" + errors)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let telegram = world.telegram
        guard await telegram.waitUntil(timeout: .seconds(30), { telegram.isPolling }) else {
            kill()
            throw BenchFailure("\(binary) never polled the fake Bot API; its standard error:\n" + errors)
        }
    }

    var errors: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }

    /// User plus system CPU seconds of the bot's process, all its threads.
    func cpuSeconds() throws -> Double {
        guard let seconds = ProcessStats.cpuSeconds(of: pid) else {
            throw BenchFailure("could not read /proc/\(pid)/stat; the bot's standard error:\n" + errors)
        }
        return seconds
    }

    /// SIGTERM, which must end the process with status 0 within 30 s.
    func stop() async throws {
        process.terminate()
        let stopping = ContinuousClock.now
        while process.isRunning {
            guard ContinuousClock.now - stopping < .seconds(30) else {
                kill()
                throw BenchFailure("exchange-bot run did not stop within 30 s of SIGTERM")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        ChildProcessGuard.forget(pid)
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw BenchFailure(
                "exchange-bot run ended with \(process.terminationReason == .exit ? "status" : "signal") "
                    + "\(process.terminationStatus) after SIGTERM; its standard error:\n" + errors
            )
        }
    }

    /// SIGKILL, for a run that failed.
    func kill() {
        if process.isRunning { Foundation.kill(pid, SIGKILL) }
        ChildProcessGuard.forget(pid)
    }
}
