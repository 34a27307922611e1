import Foundation

/// Runs Python as an independent oracle (Fernet, HMAC tokens, the seed schema).
///
/// Tests that need it check ``Python/cryptographyAvailable`` and skip, printing why, where python3 or its
/// `cryptography` module is missing.
public enum Python {
    public struct Failure: Error, CustomStringConvertible {
        public let status: Int32
        public let standardError: String
        public var description: String { "python3 exited \(status): \(standardError)" }
    }

    /// The python3 on PATH, if any.
    public static let executable: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/python3"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()

    /// Whether `python3 -c "import cryptography"` works here.
    public static let cryptographyAvailable: Bool = {
        guard executable != nil else { return false }
        return (try? runBlocking("import cryptography")) != nil
    }()

    /// Why Python-backed tests are skipped here, for the test log.
    public static var skipReason: String {
        executable == nil ? "python3 is not on PATH" : "python3 has no `cryptography` module"
    }

    /// Runs a script with arguments and returns its standard output, trimmed; waits off the cooperative threads
    /// (see ``offThePool(_:)``).
    @discardableResult
    public static func run(_ script: String, arguments: [String] = [], environment: [String: String] = [:])
        async throws -> String
    {
        try await offThePool { try runBlocking(script, arguments: arguments, environment: environment) }
    }

    /// ``run(_:arguments:environment:)`` for synchronous callers (static initialisers), blocking the thread.
    @discardableResult
    public static func runBlocking(_ script: String, arguments: [String] = [], environment: [String: String] = [:])
        throws
        -> String
    {
        guard let executable else { throw Failure(status: -1, standardError: "python3 not found") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-c", script] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read both pipes concurrently so a chatty child never blocks on a full pipe.
        let errorData = LockedData()
        let errorReader = Thread { errorData.value = errors.fileHandleForReading.readDataToEndOfFile() }
        errorReader.start()
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorData.isSet { usleep(1000) }
        guard process.terminationStatus == 0 else {
            throw Failure(
                status: process.terminationStatus,
                standardError: String(decoding: errorData.value ?? Data(), as: UTF8.self)
            )
        }
        return String(decoding: outData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A data buffer one thread fills and another reads once it is set.
private final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Data?

    var value: Data? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }

    var isSet: Bool { value != nil }
}
