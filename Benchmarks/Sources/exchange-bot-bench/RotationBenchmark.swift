import ExchangeBotCore
import ExchangeBotStorage
import Fernet
import Foundation
import GRDB

/// The rotation benchmark's data: one seeded SQLite file with the real schema, copied so that Swift and Python
/// each rotate an identical database.
struct RotationFixture {
    /// The date every seeded token carries; both rotations must keep it.
    static let sealedAt = Date(timeIntervalSince1970: 1_767_225_600)

    let directory: URL
    let swiftCopy: String
    let pythonCopy: String
    let oldKey: FernetKey
    let newKey: FernetKey
    /// `secrets[i]` is the plaintext of the row whose `id` is `i + 1`.
    let secrets: [Data]
    let seedSeconds: Double

    var rows: Int { secrets.count }

    /// Seeds `rows` secrets under a fresh old key, through `AppDatabase.open` so the schema and pragmas are the
    /// service's own, then copies the file twice.
    static func make(rows: Int) throws -> RotationFixture {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("exchange-bot-bench-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let seedPath = directory.appendingPathComponent("seed.sqlite").path
        let oldKey = FernetKey.generate()
        let secrets = (0..<rows).map { _ in FernetThroughput.randomBytes(FernetThroughput.secretCount) }

        let seedSeconds = try Throughput.timed {
            let database = try AppDatabase.open(.file(path: seedPath))
            try seed(database, secrets: secrets, key: oldKey)
            // Fold the WAL into the main file and close, so a plain file copy is the whole database.
            _ = try database.writer.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
            try database.writer.close()
        }.seconds

        let swiftCopy = directory.appendingPathComponent("swift.sqlite").path
        let pythonCopy = directory.appendingPathComponent("python.sqlite").path
        try FileManager.default.copyItem(atPath: seedPath, toPath: swiftCopy)
        try FileManager.default.copyItem(atPath: seedPath, toPath: pythonCopy)
        return RotationFixture(
            directory: directory,
            swiftCopy: swiftCopy,
            pythonCopy: pythonCopy,
            oldKey: oldKey,
            newKey: .generate(),
            secrets: secrets,
            seedSeconds: seedSeconds
        )
    }

    /// One user and one `user_exchanges` row per secret, in a single transaction.
    private static func seed(_ database: AppDatabase, secrets: [Data], key: FernetKey) throws {
        let fernet = Fernet(key: key)
        let created = "2026-01-01 00:00:00.000000"
        try database.writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO users (id, username, telegram_id, is_admin, is_active, created_at)
                    VALUES (1, 'bench', 1, 0, 1, ?)
                    """,
                arguments: [created]
            )
            let insert = try db.makeStatement(
                sql: """
                    INSERT INTO user_exchanges (id, user_id, exchange_name, label, api_key, api_secret, passphrase,
                        status, is_active, error_message, created_at, updated_at)
                    VALUES (?, 1, 'binance', ?, ?, ?, NULL, 'APPROVED', 1, NULL, ?, ?)
                    """
            )
            for (offset, secret) in secrets.enumerated() {
                let id = offset + 1
                try insert.execute(arguments: [
                    id, "bench \(id)", "bench-api-key-\(id)", fernet.encrypt(secret, at: sealedAt), created, created,
                ])
            }
        }
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Times `MasterKeyRotation.rotate`, the code path of `exchange-bot rotate-key`, on the Swift copy.
enum RotationBenchmark {
    struct Result {
        var seconds: Double
        var report: MasterKeyRotation.Report
    }

    static func runSwift(_ fixture: RotationFixture) throws -> Result {
        let database = try AppDatabase.open(.file(path: fixture.swiftCopy))
        defer { try? database.writer.close() }
        let ring = try MultiFernet(keys: [fixture.newKey, fixture.oldKey])
        let (report, seconds) = try Throughput.timed { try MasterKeyRotation.rotate(database, ring: ring) }
        guard report.rows == fixture.rows, report.secrets == fixture.rows, report.passphrases == 0,
            report.alreadyUnderPrimary == 0, report.primaryFingerprint == fixture.newKey.fingerprint
        else {
            throw BenchFailure("MasterKeyRotation reported \(report) for \(fixture.rows) seeded rows")
        }
        return Result(seconds: seconds, report: report)
    }
}
