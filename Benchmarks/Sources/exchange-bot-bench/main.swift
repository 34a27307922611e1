import ExchangeBotCore
import ExchangeBotStorage
import Foundation

// `exchange-bot-bench`: is the Swift port fast enough to be worth it? It measures our Fernet and
// `MasterKeyRotation` against Python `cryptography` doing the same work, in the same run, and prints the ratios
// against the goals (Fernet at least 5x Python, rotating 100,000 secrets at least 3x faster).
//
// Progress goes to stderr so stdout holds only the report. Exit status: 0 after a run (goals met or not),
// 1 when a result could not be trusted, 64 for a bad command line.

/// Progress for whoever watches the run; kept off stdout so the report can be redirected on its own.
func progress(_ message: String) {
    FileHandle.standardError.write(Data("\(message)\n".utf8))
}

/// Said in the report because a debug build is several times slower and its ratios would mislead.
func buildConfiguration() -> String {
    #if DEBUG
    return "DEBUG build (figures are not meaningful; build with -c release)"
    #else
    return "release build"
    #endif
}

func runBench(_ options: BenchOptions) throws -> BenchReport {
    var context = [
        "swift: \(buildConfiguration()), \(ProcessInfo.processInfo.activeProcessorCount) cores, "
            + "\(FernetThroughput.secretCount)-byte secret, \(options.seconds) s per Fernet measurement, "
            + "\(options.rows) rows rotated"
    ]
    let baseline: PythonBaseline?
    var skipReason: String?
    switch PythonBaseline.locate(options) {
    case .available(let found):
        baseline = found
        let versions = found.versions
        context.append(
            "python: \(found.interpreter) \(versions.python), cryptography \(versions.cryptography), "
                + "\(versions.openssl)"
        )
    case .skipped(let reason):
        baseline = nil
        skipReason = reason
        context.append("python: baseline skipped (\(reason))")
    }

    // One side at a time: on a small machine the two would otherwise compete for the same cores.
    progress("Fernet throughput, Swift (\(options.seconds) s each for encrypt and decrypt)…")
    let swiftFernet = try FernetThroughput.measure(seconds: options.seconds)
    let pythonFernet = try baseline.map { baseline in
        progress("Fernet throughput, Python…")
        return try baseline.fernet(seconds: options.seconds)
    }

    progress("seeding \(options.rows) encrypted secrets…")
    let fixture = try RotationFixture.make(rows: options.rows)
    defer { fixture.remove() }
    progress("rotating in Swift (MasterKeyRotation.rotate)…")
    let swiftRotation = try RotationBenchmark.runSwift(fixture)
    try RotationVerification.verify(fixture.swiftCopy, rotatedBy: "Swift", fixture: fixture)
    var notes = [
        "seeded \(fixture.rows) rows (one transaction, through AppDatabase.open) in "
            + String(format: "%.3f s", fixture.seedSeconds),
        "swift rotation report: rows=\(swiftRotation.report.rows) secrets=\(swiftRotation.report.secrets) "
            + "primary=\(swiftRotation.report.primaryFingerprint); verified: every row under the new key, "
            + "\(RotationVerification.sampleCount) sampled rows decrypt with it alone, old key refused",
    ]

    let pythonRotation = try baseline.map { baseline in
        progress("rotating in Python (MultiFernet.rotate, executemany, one commit)…")
        let rotation = try baseline.rotate(path: fixture.pythonCopy, newKey: fixture.newKey, oldKey: fixture.oldKey)
        guard rotation.rows == fixture.rows else {
            throw BenchFailure("the Python rotation read \(rotation.rows) rows, \(fixture.rows) were seeded")
        }
        try RotationVerification.verify(fixture.pythonCopy, rotatedBy: "Python", fixture: fixture)
        return rotation
    }
    if pythonRotation != nil {
        notes.append("python rotation verified the same way")
    }

    return BenchReport(
        context: context,
        swiftFernet: swiftFernet,
        pythonFernet: pythonFernet,
        rows: fixture.rows,
        swiftRotation: swiftRotation,
        pythonRotation: pythonRotation,
        skipReason: skipReason,
        notes: notes
    )
}

let options: BenchOptions
do {
    options = try BenchOptions.parse(CommandLine.arguments.dropFirst())
} catch {
    progress("exchange-bot-bench: \(error)\n\n\(BenchOptions.usage)")
    exit(64)
}
if options.showHelp {
    print(BenchOptions.usage)
    exit(0)
}

do {
    print(try runBench(options).render())
} catch {
    progress("exchange-bot-bench FAILED: \(error)")
    exit(1)
}
