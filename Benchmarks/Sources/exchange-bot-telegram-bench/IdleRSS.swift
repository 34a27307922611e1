import BenchmarkDriver
import BenchmarkFakes
import Foundation

/// Part 3: the resident memory of the real `exchange-bot run` process while it idles: the bot long-polling a fake
/// Bot API (in this process), the REST API listening, nothing to do.
///
/// It runs the release binary built next to this bench, as a separate process, so the figure is the service's
/// alone (no fakes, no bench). The RSS is sampled after a settling pause, since allocators and thread pools keep
/// growing for a moment after start; the process's CPU time over the sampling window shows whether idling really
/// is idle.
enum IdleRSS {
    struct Figures {
        let startSeconds: Double
        /// The largest of the VmRSS samples.
        let rssMegabytes: Double
        let samples: Int
        /// The process's peak (VmHWM) since its start, start-up included.
        let peakMegabytes: Double
        /// CPU time over the sampling window as a share of one core.
        let idleCPUPercent: Double
        let samplingSeconds: Double
    }

    enum Outcome {
        case measured(Figures)
        case skipped(String)
    }

    static let goalMegabytes = 40.0
    static let binaryName = "exchange-bot"

    /// `exchange-bot` beside this executable (the same `swift build` bin folder).
    static var binaryPath: String {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent(binaryName).path
    }

    static func run(settleSeconds: Double) async throws -> Outcome {
        let binary = binaryPath
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            return .skipped("no \(binary); build it with the same flags as this bench (--product exchange-bot)")
        }
        let setup = try await BotSetup.start()
        let outcome: Result<Figures, any Error>
        do {
            outcome = .success(try await measure(binary, against: setup, settleSeconds: settleSeconds))
        } catch {
            outcome = .failure(error)
        }
        await setup.telegram.stop()
        return .measured(try outcome.get())
    }

    private static func measure(_ binary: String, against setup: BotSetup, settleSeconds: Double) async throws
        -> Figures
    {
        var environment = setup.environment(logLevel: "info")
        environment["SECRET_KEY"] = "bench-" + UUID().uuidString
        environment["API_HOST"] = "127.0.0.1"
        environment["API_PORT"] = String(try LoopbackPort.free())

        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["run"]
        process.environment = environment
        process.currentDirectoryURL = setup.folder.url
        let errorPath = setup.folder.path("stderr.log")
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        process.standardOutput = FileHandle.nullDevice
        let launched = ContinuousClock.now
        try process.run()
        ChildProcessGuard.watch(process.processIdentifier)
        defer {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            ChildProcessGuard.forget(process.processIdentifier)
        }
        let errors = { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }

        while !errors().contains("exchange-bot ready") {
            guard process.isRunning, ContinuousClock.now - launched < .seconds(30) else {
                throw BenchFailure("exchange-bot run did not get ready; its standard error:\n" + errors())
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let startSeconds = (ContinuousClock.now - launched).seconds
        let ready = errors().split(separator: "\n").first { $0.contains("exchange-bot ready") } ?? ""
        guard ready.contains("bot=true"), ready.contains("rest=true") else {
            throw BenchFailure("exchange-bot run did not start both the bot and the REST API: \(ready)")
        }
        guard await setup.telegram.waitUntil(timeout: .seconds(30), { setup.telegram.isPolling }) else {
            throw BenchFailure("exchange-bot run never polled the fake Bot API; its standard error:\n" + errors())
        }
        try await Task.sleep(for: .seconds(settleSeconds))

        let pid = process.processIdentifier
        let samplingStart = ContinuousClock.now
        let cpuBefore = ProcessStats.cpuSeconds(of: pid) ?? 0
        var samples = [Double]()
        for _ in 0..<10 {
            if let rss = ProcessStats.residentMegabytes(of: String(pid)) { samples.append(rss) }
            try await Task.sleep(for: .milliseconds(300))
        }
        let cpuAfter = ProcessStats.cpuSeconds(of: pid) ?? cpuBefore
        let samplingSeconds = (ContinuousClock.now - samplingStart).seconds
        let peak = ProcessStats.peakMegabytes(of: String(pid)) ?? 0
        guard let largest = samples.max() else { throw BenchFailure("could not read /proc/\(pid)/status") }

        process.terminate()
        let stopping = ContinuousClock.now
        while process.isRunning {
            guard ContinuousClock.now - stopping < .seconds(30) else {
                throw BenchFailure("exchange-bot run did not stop within 30 s of SIGTERM")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw BenchFailure(
                "exchange-bot run ended with \(process.terminationReason == .exit ? "status" : "signal") "
                    + "\(process.terminationStatus) after SIGTERM; its standard error:\n" + errors()
            )
        }
        return Figures(
            startSeconds: startSeconds,
            rssMegabytes: largest,
            samples: samples.count,
            peakMegabytes: peak,
            idleCPUPercent: (cpuAfter - cpuBefore) / samplingSeconds * 100,
            samplingSeconds: samplingSeconds
        )
    }
}
