import Foundation
import TestSupport

/// Finds and runs the `exchange-bot` executable that `swift build` put beside the test bundle.
enum ExchangeBotBinary {
    struct Result {
        let status: Int32
        let output: String
        let errors: String
    }

    static let path: String? = {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for folder in [bundle, bundle.deletingLastPathComponent()] {
            let candidate = folder.appendingPathComponent("exchange-bot").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()

    /// Runs the binary to its end; with `terminateWhenReady`, sends SIGTERM once standard error shows that text.
    static func run(
        _ arguments: [String],
        environment: [String: String],
        in folder: TemporaryFolder,
        terminateWhenReady marker: String? = nil,
        timeout: TimeInterval = 30
    ) async throws -> Result {
        let launched = try Launched(arguments, environment: environment, in: folder)
        let deadline = Date().addingTimeInterval(timeout)
        var signalled = false
        while !launched.process.hasEnded {
            if let marker, !signalled, launched.errors.contains(marker) {
                launched.process.terminate()
                signalled = true
            }
            if Date() > deadline {
                kill(launched.process.processIdentifier, SIGKILL)
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        while !launched.process.hasEnded { try await Task.sleep(for: .milliseconds(5)) }
        return launched.result
    }

    /// Starts the binary, waits until standard error shows `marker`, runs `body`, then stops it with SIGTERM.
    /// `body` does not run if the process ends (or 30 s pass) before the marker shows; `ran` says whether it did.
    static func whileRunning(
        _ arguments: [String],
        environment: [String: String],
        in folder: TemporaryFolder,
        readyWhen marker: String,
        _ body: () async throws -> Void
    ) async throws -> (result: Result, ran: Bool) {
        let launched = try Launched(arguments, environment: environment, in: folder)
        defer { if launched.process.isRunning { kill(launched.process.processIdentifier, SIGKILL) } }
        let deadline = Date().addingTimeInterval(30)
        while !launched.process.hasEnded, Date() < deadline, !launched.errors.contains(marker) {
            try await Task.sleep(for: .milliseconds(20))
        }
        guard !launched.process.hasEnded, launched.errors.contains(marker) else {
            launched.process.terminate()
            while !launched.process.hasEnded { try await Task.sleep(for: .milliseconds(20)) }
            return (launched.result, false)
        }
        try await body()
        launched.process.terminate()
        while !launched.process.hasEnded { try await Task.sleep(for: .milliseconds(20)) }
        return (launched.result, true)
    }

    /// Starts the binary and returns at once; the caller stops it (``Launched/kill(_:)``) and waits.
    static func launch(_ arguments: [String], environment: [String: String], in folder: TemporaryFolder) throws
        -> Launched
    {
        try Launched(arguments, environment: environment, in: folder)
    }

    /// A started process whose standard output and error go to files, readable while it runs.
    struct Launched {
        let process = Process()
        let outputFile: String
        let errorFile: String

        init(_ arguments: [String], environment: [String: String], in folder: TemporaryFolder) throws {
            process.executableURL = URL(fileURLWithPath: ExchangeBotBinary.path!)
            process.arguments = arguments
            process.environment = environment
            process.currentDirectoryURL = folder.url
            outputFile = folder.path("stdout-\(UUID().uuidString)")
            errorFile = folder.path("stderr-\(UUID().uuidString)")
            _ = FileManager.default.createFile(atPath: outputFile, contents: nil)
            _ = FileManager.default.createFile(atPath: errorFile, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outputFile))
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorFile))
            try process.run()
        }

        var errors: String { (try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? "" }

        /// Waits until standard error shows `marker` (or the process ends, or `timeout` passes).
        func waitFor(_ marker: String, timeout: Duration = .seconds(30)) async -> Bool {
            let deadline = ContinuousClock.now + timeout
            while !process.hasEnded, ContinuousClock.now < deadline {
                if errors.contains(marker) { return true }
                try? await Task.sleep(for: .milliseconds(20))
            }
            return errors.contains(marker)
        }

        /// Sends `signal` and waits for the process to end (see ``Process/hasEnded``).
        func kill(_ signal: Int32) async {
            Foundation.kill(process.processIdentifier, signal)
            while !process.hasEnded { try? await Task.sleep(for: .milliseconds(10)) }
        }

        /// The exit status (or ending signal) once the process has ended; nil while it runs.
        var exitStatus: Int32? { process.endStatus }

        /// What the ended process left; its status is -1 if it still runs (read it after a wait on its end).
        var result: Result {
            Result(
                status: process.endStatus ?? -1,
                output: (try? String(contentsOfFile: outputFile, encoding: .utf8)) ?? "",
                errors: errors
            )
        }
    }
}
