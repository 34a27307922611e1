import BearerTokens
import ExchangeBotCore
import ExchangeBotStorage
import Fernet
import Foundation
import GRDB
import TestSupport
import Testing

/// The real `exchange-bot` binary, run as a user would run it: from another working directory, configured only by
/// its environment.
@Suite(.enabled(if: ExchangeBotBinary.path != nil, "the exchange-bot binary is not built next to the tests"))
struct CommandLineTests {
    let folder = TemporaryFolder()
    let key = FernetKey.generate()

    var baseEnvironment: [String: String] {
        ["DATABASE_URL": "sqlite:///db/bot.sqlite", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"]
    }

    @Test func generateKeyPrintsAKeyOnItsLastLine() async throws {
        let result = try await ExchangeBotBinary.run(["generate-key"], environment: baseEnvironment, in: folder)
        #expect(result.status == 0)
        let last = try #require(result.output.split(separator: "\n").last)
        #expect(last.count == 44 && (try? FernetKey(base64: last)) != nil)
    }

    @Test func migrateWorksFromAnyDirectoryWithoutAMasterKey() async throws {
        let result = try await ExchangeBotBinary.run(["migrate"], environment: baseEnvironment, in: folder)
        #expect(result.status == 0, "\(result.errors)")
        #expect(FileManager.default.fileExists(atPath: folder.path("db/bot.sqlite")))
        #expect(result.output.contains("v9-seen-updates"))
    }

    @Test func runWithNothingConfiguredSaysWhatToSet() async throws {
        var environment = baseEnvironment
        environment["BRAIN_CAPITAL_MASTER_KEY"] = key.base64
        let result = try await ExchangeBotBinary.run(["run"], environment: environment, in: folder)
        #expect(result.status != 0)
        #expect(result.errors.contains("TELEGRAM_BOT_TOKEN") && result.errors.contains("SECRET_KEY"))
    }

    @Test(arguments: [nil, "malformed-key", "\(FernetKey.generate().base64),bad"])
    func runRefusesAMissingOrMalformedMasterKey(value: String?) async throws {
        var environment = baseEnvironment
        environment["SECRET_KEY"] = "rest-secret-value"
        environment["BRAIN_CAPITAL_MASTER_KEY"] = value
        let result = try await ExchangeBotBinary.run(["run"], environment: environment, in: folder)
        #expect(result.status != 0)
        #expect(result.errors.contains("BRAIN_CAPITAL_MASTER_KEY"))
        #expect(!result.errors.contains("malformed-key") && !result.errors.contains("rest-secret-value"))
    }

    @Test func runAndRotateRefuseAKeyThatOpensNoStoredSecret() async throws {
        try await seed(count: 3, under: key)
        let before = databaseFiles()
        var environment = baseEnvironment
        environment["SECRET_KEY"] = "s"
        let wrong = FernetKey.generate().base64
        environment["BRAIN_CAPITAL_MASTER_KEY"] = wrong
        for command in ["run", "rotate-key"] {
            let result = try await ExchangeBotBinary.run([command], environment: environment, in: folder)
            #expect(result.status != 0, "\(command)")
            #expect(result.errors.contains("BRAIN_CAPITAL_MASTER_KEY"), "\(command)")
            #expect(!(result.output + result.errors).contains(wrong))
        }
        #expect(databaseFiles() == before)
    }

    @Test func rotateKeyMovesEverythingToTheNewKey() async throws {
        try await seed(count: 4, under: key)
        let new = FernetKey.generate()
        var environment = baseEnvironment
        environment["BRAIN_CAPITAL_MASTER_KEY"] = "\(new.base64),\(key.base64)"
        let result = try await ExchangeBotBinary.run(["rotate-key"], environment: environment, in: folder)
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output.contains("rotated 4 secret(s)"))
        #expect(!result.output.contains(new.base64) && !result.output.contains(key.base64))
        let database = try AppDatabase.open(.file(path: folder.path("db/bot.sqlite")))
        #expect(try MasterKeyCheck.run(database, ring: try MultiFernet(keys: [new])).openedByPrimary == 4)
    }

    @Test func tokenMintsWhatTheAPIAccepts() async throws {
        try await seed(count: 0, under: key)
        var environment = baseEnvironment
        environment["SECRET_KEY"] = "flask-secret"
        let result = try await ExchangeBotBinary.run(["token", "1"], environment: environment, in: folder)
        #expect(result.status == 0, "\(result.errors)")
        let token = String(try #require(result.output.split(separator: "\n").last))
        #expect(try BearerTokenAuthority(secretKey: "flask-secret", maxAge: 3600).verify(token) == 1)
        #expect(!result.output.contains("flask-secret"))
        let unknown = try await ExchangeBotBinary.run(["token", "99"], environment: environment, in: folder)
        #expect(unknown.status == 0 && unknown.output.contains("warning: no user with id 99"))
        environment["SECRET_KEY"] = nil
        #expect(
            try await ExchangeBotBinary.run(["token", "1"], environment: environment, in: folder).errors.contains(
                "SECRET_KEY"
            )
        )
    }

    @Test func runStopsCleanlyOnSIGTERM() async throws {
        var environment = baseEnvironment
        environment["SECRET_KEY"] = "s"
        environment["BRAIN_CAPITAL_MASTER_KEY"] = key.base64
        let result = try await ExchangeBotBinary.run(
            ["run"],
            environment: environment,
            in: folder,
            terminateWhenReady: "exchange-bot ready"
        )
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.errors.contains("exchange-bot stopped"))
    }

    /// A database with one user and `count` keys sealed under `key`, checkpointed and closed so the main file holds
    /// it all.
    func seed(count: Int, under key: FernetKey) async throws {
        let harness = try ServiceHarness(
            location: .file(path: folder.path("db/bot.sqlite")),
            ring: try MultiFernet(keys: [key])
        )
        let user = try await harness.user()
        for index in 0..<count {
            _ = try await harness.service.addKey(
                Sample.submission(apiKey: "cli-key-\(index)-00000000"),
                userID: user.id,
                by: .system
            )
        }
        try await harness.database.writer.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        try (harness.database.writer as? DatabasePool)?.close()
    }

    /// The database file and its WAL, byte for byte.
    func databaseFiles() -> [Data] {
        ["db/bot.sqlite", "db/bot.sqlite-wal"].map { name in
            (try? Data(contentsOf: URL(fileURLWithPath: folder.path(name)))) ?? Data()
        }
    }
}
