import Fernet
import Foundation

/// The Python side of each comparison: `Benchmarks/fernet_baseline.py` run with the local `python3`, so both
/// sides are measured on the same machine in the same run rather than against figures from elsewhere.
///
/// The script prints one JSON object per command; its stderr goes straight to ours so a traceback stays visible.
struct PythonBaseline {
    let interpreter: String
    let script: String
    let versions: Versions

    struct Versions: Decodable {
        var python: String
        var cryptography: String
        var openssl: String
    }

    struct Rotation: Decodable {
        var rows: Int
        var seconds: Double
    }

    /// Either a baseline that answered its probe, or why there is none.
    enum Availability {
        case available(PythonBaseline)
        case skipped(reason: String)
    }

    /// The script's exit status when `cryptography` cannot be imported.
    private static let missingCryptographyStatus: Int32 = 3

    // MARK: - Finding the interpreter and the script

    static func locate(_ options: BenchOptions) -> Availability {
        let interpreter: String
        if let chosen = options.python {
            guard FileManager.default.isExecutableFile(atPath: chosen) else {
                return .skipped(reason: "\(chosen) (from --python) is not an executable file")
            }
            interpreter = chosen
        } else {
            guard let found = searchPath(for: "python3") else { return .skipped(reason: "python3 not found on PATH") }
            interpreter = found
        }

        let candidates = options.baselineScript.map { [$0] } ?? defaultScriptCandidates()
        guard let script = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            return .skipped(reason: "baseline script not found; looked at \(candidates.joined(separator: ", "))")
        }

        do {
            let (status, output) = try run(interpreter, [script, "probe"])
            if status == missingCryptographyStatus,
                let failure = try? JSONDecoder().decode(ScriptError.self, from: output)
            {
                return .skipped(reason: failure.error)
            }
            guard status == 0 else { return .skipped(reason: "\(interpreter) \(script) probe exited with \(status)") }
            let versions = try JSONDecoder().decode(Versions.self, from: output)
            return .available(PythonBaseline(interpreter: interpreter, script: script, versions: versions))
        } catch {
            return .skipped(reason: "could not run \(interpreter) \(script) probe (\(error))")
        }
    }

    /// The script in the working directory (the Benchmarks package or the main checkout), else beside this source
    /// file (a binary run from elsewhere on the machine that built it).
    private static func defaultScriptCandidates() -> [String] {
        let name = "fernet_baseline.py"
        let workingDirectory = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        // Benchmarks/Sources/exchange-bot-bench/PythonBaseline.swift → Benchmarks.
        let benchmarksFolder = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .deletingLastPathComponent()
        let candidates = [
            workingDirectory.appendingPathComponent(name).path,
            workingDirectory.appendingPathComponent("Benchmarks").appendingPathComponent(name).path,
            benchmarksFolder.appendingPathComponent(name).path,
        ]
        return candidates.reduce(into: []) { unique, path in
            if !unique.contains(path) { unique.append(path) }
        }
    }

    private static func searchPath(for name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":")
            .map { URL(fileURLWithPath: String($0)).appendingPathComponent(name).path }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    // MARK: - Measurements

    func fernet(seconds: Double) throws -> FernetThroughput.Result {
        struct Measured: Decodable {
            var operations: Int
            var seconds: Double
        }
        struct Output: Decodable {
            var encrypt: Measured
            var decrypt: Measured
        }
        let output: Output = try call(["fernet", "--seconds", String(seconds)])
        return FernetThroughput.Result(
            encrypt: Throughput(operations: output.encrypt.operations, seconds: output.encrypt.seconds),
            decrypt: Throughput(operations: output.decrypt.operations, seconds: output.decrypt.seconds)
        )
    }

    /// Rotates the copy at `path` as the seed system would. The keys travel in the environment, not argv, so they
    /// do not show in the process list; they are throwaway keys made for this run.
    func rotate(path: String, newKey: FernetKey, oldKey: FernetKey) throws -> Rotation {
        try call(
            ["rotate", "--db", path],
            environment: ["BENCH_FERNET_NEW_KEY": newKey.base64, "BENCH_FERNET_OLD_KEY": oldKey.base64]
        )
    }

    // MARK: - Running the script

    private struct ScriptError: Decodable {
        var error: String
    }

    private func call<Output: Decodable>(_ arguments: [String], environment: [String: String] = [:]) throws
        -> Output
    {
        let (status, output) = try Self.run(interpreter, [script] + arguments, environment: environment)
        guard status == 0 else {
            throw BenchFailure("python baseline `\(arguments[0])` exited with status \(status)")
        }
        do {
            return try JSONDecoder().decode(Output.self, from: output)
        } catch {
            let text = String(decoding: output, as: UTF8.self)
            throw BenchFailure("python baseline `\(arguments[0])` printed unexpected output: \(text)")
        }
    }

    private static func run(_ interpreter: String, _ arguments: [String], environment: [String: String] = [:])
        throws -> (status: Int32, output: Data)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: interpreter)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let stdout = Pipe()
        process.standardOutput = stdout
        try process.run()
        // Read before waiting: a full pipe would otherwise block the child forever.
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }
}
