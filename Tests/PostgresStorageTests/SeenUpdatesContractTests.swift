import BotConversation
import Fernet
import Foundation
import TestSupport
import Testing

/// An update id once received is not stored again for ``SeenUpdates/retention``, on both engines: Telegram posts an
/// update again when the 200 it was answered with got lost, possibly after the bot handled it and its inbox row was
/// gone. Whatever became of the update (handled, dropped unreadable, parked and tidied away), it does not come back.
@Suite struct SeenUpdatesContractTests {
    static func update(_ id: Int64, _ text: String = "hi") -> ReceivedUpdate {
        ReceivedUpdate(id: id, payload: Data("{\"update_id\":\(id),\"message\":{\"text\":\"\(text)\"}}".utf8))
    }

    @Test(arguments: StoreEngine.allCases)
    func aHandledUpdateReceivedAgainIsNotStoredUntilTheRetentionPassed(engine: StoreEngine) async throws {
        try await BotStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let received = Date()
            try await store.receive([Self.update(1), Self.update(2)], nextOffset: 3)
            try await store.commit(BotCommit(handledUpdateID: 1))
            try await store.commit(BotCommit(handledUpdateID: 2))
            #expect(try await store.unhandledUpdates().updates.isEmpty)

            // Posted again (a lost 200), alone and in a batch with a new one: only the new one is stored.
            try await store.receive([Self.update(1, "again")], nextOffset: 2)
            #expect(try await store.unhandledUpdates().updates.isEmpty)
            try await store.receive([Self.update(2), Self.update(3)], nextOffset: 4)
            #expect(try await store.unhandledUpdates().updates == [Self.update(3)])
            #expect(try await store.nextOffset() == 4, "the offset still moves")

            // Tidying within the retention keeps the ids; after it, they are forgotten.
            try await store.tidy(now: received.addingTimeInterval(SeenUpdates.retention - 600))
            #expect(try await fixture.count(.seenUpdates) == 3)
            try await store.receive([Self.update(1)], nextOffset: 4)
            #expect(try await store.unhandledUpdates().updates.map(\.id) == [3])
            try await store.tidy(now: Date().addingTimeInterval(SeenUpdates.retention + 60))
            #expect(try await fixture.count(.seenUpdates) == 0)
            try await store.receive([Self.update(1, "much later")], nextOffset: 4)
            #expect(try await store.unhandledUpdates().updates == [Self.update(1, "much later"), Self.update(3)])
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func aDroppedUnreadableUpdateIsNotTakenAgain(engine: StoreEngine) async throws {
        try await BotStoreFixture.with(engine) { fixture in
            // Stored under a key the store no longer has: unreadable, dropped and reported.
            let retired = fixture.store(ring: try MultiFernet(keys: [.generate()]))
            try await retired.receive([Self.update(5)], nextOffset: 6)
            let first = try await fixture.store.unhandledUpdates()
            #expect(first.updates.isEmpty && first.dropped == [5])
            #expect(try await fixture.count(.updates) == 0)
            // Posted again: neither stored nor dropped a second time.
            try await fixture.store.receive([Self.update(5)], nextOffset: 6)
            let again = try await fixture.store.unhandledUpdates()
            #expect(again.updates.isEmpty && again.dropped.isEmpty)
            #expect(try await fixture.count(.updates) == 0)
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func aParkedUpdateTidiedAwayIsNotTakenAgain(engine: StoreEngine) async throws {
        try await BotStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let now = Date()
            try await store.receive([Self.update(7)], nextOffset: 8)
            try await store.park(updateID: 7, at: now.addingTimeInterval(-8 * 86_400))
            try await store.tidy(now: now)
            #expect(try await fixture.count(.updates) == 0, "a parked update is tidied after a week")
            try await store.receive([Self.update(7)], nextOffset: 8)
            #expect(try await store.unhandledUpdates().updates.isEmpty)
            #expect(try await fixture.count(.updates) == 0)
        }
    }

    /// Two instances receiving the same post at once (a proxy retrying on the other one): stored once.
    @Test(arguments: StoreEngine.allCases)
    func concurrentReceiptsOfOneUpdateStoreItOnce(engine: StoreEngine) async throws {
        try await BotStoreFixture.with(engine) { fixture in
            let other = fixture.store(ring: try MultiFernet(keys: [fixture.key]))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for round in 0..<20 {
                    let id = Int64(100 + round)
                    group.addTask { try await fixture.store.receive([Self.update(id)], nextOffset: id + 1) }
                    group.addTask { try await other.receive([Self.update(id)], nextOffset: id + 1) }
                }
                try await group.waitForAll()
            }
            #expect(try await fixture.store.unhandledUpdates().updates.map(\.id) == Array(100..<120))
            for id in Int64(100)..<120 { try await fixture.store.commit(BotCommit(handledUpdateID: id)) }
            try await other.receive((100..<120).map { Self.update($0) }, nextOffset: 120)
            #expect(try await fixture.store.unhandledUpdates().updates.isEmpty)
        }
    }
}
