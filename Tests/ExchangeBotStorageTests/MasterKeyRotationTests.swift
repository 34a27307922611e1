import ExchangeBotCore
import Fernet
import Foundation
import GRDB
import TestSupport
import Testing

@testable import ExchangeBotStorage

@Suite struct MasterKeyRotationTests {
    let old = FernetKey.generate()
    let new = FernetKey.generate()

    /// A file database with `count` keys (every third with a passphrase) sealed under `old`.
    func populatedDatabase(_ folder: TemporaryFolder, count: Int = 30) async throws -> (AppDatabase, String) {
        let path = folder.path("keys.sqlite")
        let harness = try ServiceHarness(location: .file(path: path), ring: try MultiFernet(keys: [old]))
        let alice = try await harness.user()
        for index in 0..<count {
            let okx = index % 3 == 0
            _ = try await harness.service.addKey(
                Sample.submission(
                    exchange: okx ? "okx" : "binance",
                    apiKey: "key-\(index)-0000000000",
                    secret: "secret-\(index)",
                    passphrase: okx ? "pass-\(index)" : nil
                ),
                userID: alice.id,
                by: .system
            )
        }
        return (harness.database, path)
    }

    func secrets(_ database: AppDatabase, ring: MultiFernet) async throws -> [String] {
        let store = SQLiteExchangeStore(database: database, ring: ring)
        let ids = try await database.writer.read { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM user_exchanges ORDER BY id")
        }
        var values = [String]()
        for id in ids {
            let credentials = try #require(try await store.credentials(ofKey: id))
            values.append(credentials.apiSecret.exposedValue + "|" + (credentials.passphrase?.exposedValue ?? "-"))
        }
        return values
    }

    @Test func rotatesEverySecretAndPassphraseKeepingTimestamps() async throws {
        let folder = TemporaryFolder()
        let (database, _) = try await populatedDatabase(folder)
        let before = try await secrets(database, ring: try MultiFernet(keys: [old]))
        let oldToken = try await database.writer.read { db in
            try String.fetchOne(db, sql: "SELECT api_secret FROM user_exchanges ORDER BY id LIMIT 1")
        }
        let ring = try MultiFernet(keys: [new, old])
        let report = try MasterKeyRotation.rotate(database, ring: ring)
        #expect(
            report.rows == 30 && report.secrets == 30 && report.passphrases == 10 && report.alreadyUnderPrimary == 0
        )
        // Every secret now opens with the new key alone, unchanged.
        #expect(try await secrets(database, ring: try MultiFernet(keys: [new])) == before)
        let newToken = try await database.writer.read { db in
            try String.fetchOne(db, sql: "SELECT api_secret FROM user_exchanges ORDER BY id LIMIT 1")
        }
        #expect(
            try Fernet(key: old).extractTimestamp(try #require(oldToken))
                == Fernet(key: new).extractTimestamp(try #require(newToken))
        )
        let audit = try await SQLiteExchangeStore(database: database, ring: ring).auditLog(limit: 1)
        #expect(audit.first?.action == .rotateMasterKey && audit.first?.detail?.contains(new.fingerprint) == true)
        #expect(audit.first?.detail?.contains(new.base64) == false)
        // Running it again finds everything under the primary already.
        #expect(try MasterKeyRotation.rotate(database, ring: ring).alreadyUnderPrimary == 30)
    }

    @Test func wrongKeyChangesNothingByteForByte() async throws {
        let folder = TemporaryFolder()
        let (database, path) = try await populatedDatabase(folder)
        try await database.writer.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let stranger = try MultiFernet(keys: [new, .generate()])
        #expect(throws: MasterKeyRotation.UnreadableSecrets.self) {
            try MasterKeyRotation.rotate(database, ring: stranger)
        }
        try await database.writer.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        let after = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(before == after)
        #expect(try MasterKeyCheck.run(database, ring: stranger).wrongKey)
    }

    @Test func oneUnreadableRowStopsEverything() async throws {
        let folder = TemporaryFolder()
        let (database, _) = try await populatedDatabase(folder, count: 5)
        let foreign = Fernet(key: .generate()).encrypt("from elsewhere")
        try await database.writer.write { db in
            try db.execute(sql: "UPDATE user_exchanges SET api_secret = ? WHERE id = 3", arguments: [foreign])
        }
        let ring = try MultiFernet(keys: [new, old])
        do {
            _ = try MasterKeyRotation.rotate(database, ring: ring)
            Issue.record("rotation must refuse")
        } catch let error as MasterKeyRotation.UnreadableSecrets {
            #expect(error.rowIDs == [3])
            #expect(error.description.contains("BRAIN_CAPITAL_MASTER_KEY"))
        }
        let underOld = try await database.writer.read { db in
            try String.fetchAll(db, sql: "SELECT api_secret FROM user_exchanges WHERE id != 3")
        }
        #expect(underOld.allSatisfy { ring.keyIndex(opening: $0) == 1 })
        let check = try MasterKeyCheck.run(database, ring: ring)
        #expect(check.unreadable == 1 && !check.wrongKey && check.openedByOlderKeys == check.tokens - 1)
    }

    @Test func aFailureMidwayLeavesEveryRowReadable() async throws {
        let folder = TemporaryFolder()
        let (database, path) = try await populatedDatabase(folder)
        struct Crash: Error {}
        let ring = try MultiFernet(keys: [new, old])
        #expect(throws: Crash.self) {
            try MasterKeyRotation.rotate(database, ring: ring) { index in
                if index == 14 { throw Crash() }
            }
        }
        // Still all under the old key, in this connection and in a fresh one.
        let reopened = try AppDatabase.open(.file(path: path))
        for db in [database, reopened] {
            let tokens = try await db.writer.read { db in
                try String.fetchAll(db, sql: "SELECT api_secret FROM user_exchanges")
            }
            #expect(tokens.count == 30 && tokens.allSatisfy { ring.keyIndex(opening: $0) == 1 })
        }
        #expect(try await secrets(reopened, ring: try MultiFernet(keys: [old])).count == 30)
    }

    @Test func theQuickStartUpCheckAgreesWithTheFullOne() async throws {
        let folder = TemporaryFolder()
        let (database, _) = try await populatedDatabase(folder, count: 5)
        for ring in [try MultiFernet(keys: [new, old]), try MultiFernet(keys: [new, .generate()])] {
            let full = try MasterKeyCheck.run(database, ring: ring)
            let quick = try MasterKeyCheck.run(database, ring: ring, stoppingAtFirstReadable: true)
            #expect(quick.wrongKey == full.wrongKey)
        }
        // With a key that opens them, it stops at the first token.
        let quick = try MasterKeyCheck.run(
            database,
            ring: try MultiFernet(keys: [new, old]),
            stoppingAtFirstReadable: true
        )
        #expect(quick.tokens == 1 && quick.openedByOlderKeys == 1)
    }
}
