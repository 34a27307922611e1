import BotConversation
import ExchangeBotCore
import Fernet
import Foundation
import GRDB
import TestSupport
import Testing

@testable import ExchangeBotStorage

/// The bot store's side of issue 9: a group migration applies only to the group it moved, replays recognise their
/// own outside effects, updates that cannot be handled are parked, and unreadable rows are reported when dropped.
@Suite struct BotStoreRecoveryTests {
    let key = FernetKey.generate()

    func open(_ folder: TemporaryFolder, _ keys: [FernetKey]? = nil) throws -> (AppDatabase, SQLiteBotStore) {
        let database = try AppDatabase.open(.file(path: folder.path("bot.sqlite")), concurrentReads: false)
        return (database, SQLiteBotStore(database: database, ring: try MultiFernet(keys: keys ?? [key])))
    }

    /// Item 1: once the operator points `ADMIN_CHAT_ID` at another group, the old group's migration is not applied.
    @Test func aMigrationAppliesOnlyWhileTheConfiguredGroupIsTheOneThatMoved() async throws {
        let folder = TemporaryFolder()
        let (_, store) = try open(folder)
        #expect(try await store.adminChatOverride(configured: -4_000_001) == nil)
        try await store.setAdminChatOverride(-1_009_999_000_001, configured: -4_000_001)
        #expect(try await store.adminChatOverride(configured: -4_000_001) == -1_009_999_000_001)
        #expect(try await store.adminChatOverride(configured: -1_005_555_000_001) == nil, "another group now")
    }

    /// Item 1: the record of the old form (the new id alone, its origin unknown) is dropped by the migration.
    @Test func anOldOverrideWithoutItsOriginIsDropped() async throws {
        let folder = TemporaryFolder()
        let path = folder.path("bot.sqlite")
        let queue = try DatabaseQueue(path: path)
        var migrator = Migrations.migrator
        migrator.eraseDatabaseOnSchemaChange = false
        try migrator.migrate(queue, upTo: "v5-hardening-store")
        try await queue.write { db in
            try db.execute(sql: "INSERT INTO bot_state (name, value) VALUES ('telegram.admin_chat_id', '-100777')")
        }
        try queue.close()
        let (database, store) = try open(folder)
        #expect(try await store.adminChatOverride(configured: -4_000_001) == nil)
        let left = try await database.writer.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM bot_state WHERE name = 'telegram.admin_chat_id'")
        }
        #expect(left == 0)
    }

    /// Item 17: the first handling of an update marks its outside effect; a second handling learns it is a replay.
    @Test func aReplayLearnsItsOutsideEffectWasStartedBefore() async throws {
        let folder = TemporaryFolder()
        let (_, store) = try open(folder)
        try await store.receive([ReceivedUpdate(id: 5, payload: Data("{}".utf8))], nextOffset: 6)
        #expect(try await store.beginOutsideEffect(updateID: 5) == false)
        #expect(try await store.beginOutsideEffect(updateID: 5) == true)
        // Another store on the same file (the next start) sees the mark too.
        let (_, again) = try open(folder)
        #expect(try await again.beginOutsideEffect(updateID: 5) == true)
    }

    /// Item 17: a parked update is no longer handed out at a start, and is tidied after a week.
    @Test func parkedUpdatesAreNotHandledAgainAndAreTidied() async throws {
        let folder = TemporaryFolder()
        let (database, store) = try open(folder)
        let updates = (1...3).map { ReceivedUpdate(id: Int64($0), payload: Data("{\"update_id\":\($0)}".utf8)) }
        try await store.receive(updates, nextOffset: 4)
        let now = Date()
        try await store.park(updateID: 2, at: now)
        #expect(try await store.unhandledUpdates().updates.map(\.id) == [1, 3])
        try await store.tidy(now: now.addingTimeInterval(86_400))
        let kept = try await database.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM bot_inbox") }
        #expect(kept == 3, "kept for inspection for a week")
        try await store.tidy(now: now.addingTimeInterval(8 * 86_400))
        let after = try await database.writer.read { db in
            try Int64.fetchAll(db, sql: "SELECT update_id FROM bot_inbox ORDER BY update_id")
        }
        #expect(after == [1, 3])
    }

    /// Item 17: rows no configured key opens are dropped and named, so the poller can log them.
    @Test func unreadableUpdatesAreReportedWhenDropped() async throws {
        let folder = TemporaryFolder()
        let (database, store) = try open(folder)
        try await store.receive([ReceivedUpdate(id: 1, payload: Data("{}".utf8))], nextOffset: 2)
        let stranger = SQLiteBotStore(database: database, ring: try MultiFernet(keys: [.generate()]))
        try await stranger.receive([ReceivedUpdate(id: 2, payload: Data("{}".utf8))], nextOffset: 3)
        let (updates, dropped) = try await store.unhandledUpdates()
        #expect(updates.map(\.id) == [1])
        #expect(dropped == [2])
        #expect(try await store.unhandledUpdates().dropped.isEmpty)
    }
}
