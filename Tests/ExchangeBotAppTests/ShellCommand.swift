import Foundation

/// Runs the checkout's shell scripts and the system tools that check them (`bash`, `strace`, `systemd-analyze`).
enum ShellCommand {
    struct Result {
        let status: Int32
        let output: String
    }

    /// The checkout this test file belongs to (Tests/ExchangeBotAppTests/ShellCommand.swift → three levels up).
    static let checkout: URL = {
        var folder = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { folder.deleteLastPathComponent() }
        return folder
    }()

    /// The executable `name` on `PATH` (or in /usr/sbin, /sbin, where Debian puts some tools), if any.
    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let folders = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        return folders.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `executable` with `arguments` to its end, standard output and error together in `output`; standard
    /// input is empty. Output goes through a file so a chatty command never blocks on a full pipe.
    static func run(
        _ executable: String,
        _ arguments: [String],
        in folder: URL? = nil,
        environment: [String: String]? = nil
    ) throws -> Result {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("shell-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let folder { process.currentDirectoryURL = folder }
        if let environment { process.environment = environment }
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return Result(status: process.terminationStatus, output: output)
    }
}
