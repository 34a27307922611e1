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

    /// Runs the binary; with `terminateWhenReady`, sends SIGTERM once standard error shows that text.
    static func run(
        _ arguments: [String],
        environment: [String: String],
        in folder: TemporaryFolder,
        terminateWhenReady marker: String? = nil,
        timeout: TimeInterval = 30
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path!)
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = folder.url
        let outputFile = folder.path("stdout-\(UUID().uuidString)")
        let errorFile = folder.path("stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outputFile, contents: nil)
        _ = FileManager.default.createFile(atPath: errorFile, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outputFile))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorFile))
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        var signalled = false
        while process.isRunning {
            if let marker, !signalled, let text = try? String(contentsOfFile: errorFile, encoding: .utf8),
                text.contains(marker)
            {
                process.terminate()
                signalled = true
            }
            if Date() > deadline {
                kill(process.processIdentifier, SIGKILL)
                break
            }
            usleep(20_000)
        }
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            output: (try? String(contentsOfFile: outputFile, encoding: .utf8)) ?? "",
            errors: (try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? ""
        )
    }

    /// Starts the binary, waits until standard error shows `marker`, runs `body`, then stops it with SIGTERM.
    static func whileRunning(
        _ arguments: [String],
        environment: [String: String],
        in folder: TemporaryFolder,
        readyWhen marker: String,
        _ body: () async throws -> Void
    ) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path!)
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = folder.url
        let outputFile = folder.path("stdout-\(UUID().uuidString)")
        let errorFile = folder.path("stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outputFile, contents: nil)
        _ = FileManager.default.createFile(atPath: errorFile, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outputFile))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorFile))
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning, Date() < deadline {
            if let text = try? String(contentsOfFile: errorFile, encoding: .utf8), text.contains(marker) { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        try await body()
        process.terminate()
        while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        return Result(
            status: process.terminationStatus,
            output: (try? String(contentsOfFile: outputFile, encoding: .utf8)) ?? "",
            errors: (try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? ""
        )
    }
}
