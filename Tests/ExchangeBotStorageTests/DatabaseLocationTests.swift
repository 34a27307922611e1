import Foundation
import Testing

@testable import ExchangeBotStorage

@Suite struct DatabaseLocationTests {
    @Test func sqlalchemyForms() throws {
        #expect(
            try DatabaseLocation(url: "sqlite:///data/x.sqlite", workingDirectory: "/srv/bot")
                == .file(path: "/srv/bot/data/x.sqlite")
        )
        #expect(
            try DatabaseLocation(url: "sqlite:////var/lib/bot/x.db", workingDirectory: "/srv")
                == .file(path: "/var/lib/bot/x.db")
        )
        #expect(try DatabaseLocation(url: "sqlite://") == .inMemory)
        #expect(try DatabaseLocation(url: "sqlite:///:memory:") == .inMemory)
        #expect(
            try DatabaseLocation(url: "sqlite:///my%20data/x.db", workingDirectory: "/w")
                == .file(path: "/w/my data/x.db")
        )
    }

    @Test(arguments: ["postgresql://u@h/db", "sqlite:/x.db", "sqlite://host/x.db", "data/x.sqlite", "sqlite:///"])
    func otherFormsAreRefused(url: String) {
        #expect(throws: DatabaseLocation.InvalidURL.self) { try DatabaseLocation(url: url) }
    }

    @Test func defaultFileAndFolderAreCreatedOnFirstUse() throws {
        let folder = TemporaryFolderForStorage()
        let location = try DatabaseLocation(url: DatabaseLocation.defaultURL, workingDirectory: folder.path)
        let database = try AppDatabase.open(location)
        #expect(FileManager.default.fileExists(atPath: folder.path + "/data/exchange-bot.sqlite"))
        #expect(
            try database.appliedMigrations() == [
                "v1-seed", "v2-service-tables", "v3-telegram-bot", "v4-telegram-lanes", "v5-hardening-store",
                "v6-hardening-bot", "v7-platform-accounts", "v8-reason-prompt-admin", "v9-seen-updates",
            ]
        )
    }
}

/// A temporary folder for tests of this target (kept local: it needs only Foundation).
final class TemporaryFolderForStorage {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("storage-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

@Suite struct DatabaseDateTests {
    @Test func writesSQLAlchemysFormat() {
        #expect(DatabaseDate.format(Date(timeIntervalSince1970: 1_700_000_000.25)) == "2023-11-14 22:13:20.250000")
        #expect(DatabaseDate.format(Date(timeIntervalSince1970: 0)) == "1970-01-01 00:00:00.000000")
    }

    @Test(arguments: [
        ("2023-11-14 22:13:20.250000", 1_700_000_000.25),
        ("2023-11-14 22:13:20", 1_700_000_000),
        ("2023-11-14T22:13:20Z", 1_700_000_000),
        ("2023-11-14T23:13:20+01:00", 1_700_000_000),
        ("2023-11-14 22:13:20.123", 1_700_000_000.123),
        ("1700000000", 1_700_000_000),
        ("2023-11-14", 1_699_920_000),
    ])
    func readsWhatEitherSideWrites(text: String, seconds: Double) throws {
        let date = try #require(DatabaseDate.parse(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.0005)
    }

    @Test func refusesGarbage() {
        #expect(DatabaseDate.parse("yesterday") == nil)
        #expect(DatabaseDate.parse("") == nil)
    }
}
