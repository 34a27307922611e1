import BotConversation
import Fernet
import Foundation
import GRDB
import TestSupport
import Testing

@testable import ExchangeBotStorage

/// `v9-seen-updates` remembers the updates already in the inbox, so that one handled after the upgrade and then
/// posted again is not stored a second time.
@Suite struct SeenUpdatesMigrationTests {
    @Test func updatesWaitingInTheInboxAreRememberedByTheMigration() async throws {
        let folder = TemporaryFolder()
        let path = folder.path("bot.sqlite")
        let key = FernetKey.generate()
        let ring = try MultiFernet(keys: [key])
        let queue = try DatabaseQueue(path: path)
        var migrator = Migrations.migrator
        migrator.eraseDatabaseOnSchemaChange = false
        try migrator.migrate(queue, upTo: "v8-reason-prompt-admin")
        let payload = Data("{\"update_id\":41}".utf8)
        try await queue.write { db in
            try db.execute(
                sql: "INSERT INTO bot_inbox (update_id, payload, received_at) VALUES (41, ?, ?)",
                arguments: [ring.encrypt(payload), DatabaseDate.format(Date())]
            )
        }
        try queue.close()
        let database = try AppDatabase.open(.file(path: path), concurrentReads: false)
        let store = SQLiteBotStore(database: database, ring: ring)
        #expect(try await store.unhandledUpdates().updates == [ReceivedUpdate(id: 41, payload: payload)])
        try await store.commit(BotCommit(handledUpdateID: 41))
        try await store.receive([ReceivedUpdate(id: 41, payload: payload)], nextOffset: 42)
        #expect(try await store.unhandledUpdates().updates.isEmpty)
    }
}
