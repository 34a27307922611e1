import BotConversation
import ExchangeBotCore
import Foundation
import PostgresNIO
import PostgresStorage
import TestSupport
import Testing

/// What SQLite's single writer gave for free, asked of PostgreSQL with many concurrent tasks (up to the pool's 8
/// connections at once, the rest queued): one `users` row per Telegram user, each update stored once, each dedupe
/// key queued once, and queue order that is commit order.
@Suite struct BotStoreConcurrencyTests {
    @Test func fiftyFirstContactsOfOneTelegramUserMakeOneRow() async throws {
        try await BotStoreFixture.with(.postgres) { fixture in
            let store = fixture.store
            let telegramID: Int64 = 9_100_000_001
            let users = try await withThrowingTaskGroup(of: User.self) { group in
                for index in 0..<50 {
                    group.addTask {
                        try await store.ensureUser(
                            telegramID: telegramID,
                            username: "user\(index % 3)",
                            languageCode: index.isMultiple(of: 2) ? "en" : "ru",
                            at: Date()
                        )
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(users.count == 50)
            #expect(Set(users.map(\.id)).count == 1)
            #expect(try await fixture.userRows(telegramID: telegramID) == 1)
            let stored = try await store.ensureUser(
                telegramID: telegramID,
                username: nil,
                languageCode: nil,
                at: Date()
            )
            #expect(stored.languageCode == "en" || stored.languageCode == "ru")
        }
    }

    @Test func twentyOverlappingBatchesStoreEachUpdateOnce() async throws {
        try await BotStoreFixture.with(.postgres) { fixture in
            let store = fixture.store
            try await withThrowingTaskGroup(of: Void.self) { group in
                for batch in 0..<20 {
                    group.addTask {
                        // Batches of ten that overlap their neighbours, some in descending order.
                        var ids = (Int64(batch)..<Int64(batch + 10)).map { $0 }
                        if batch.isMultiple(of: 2) { ids.reverse() }
                        let updates = ids.map { BotStoreContractTests.update($0) }
                        try await store.receive(updates, nextOffset: Int64(batch + 10))
                    }
                }
                try await group.waitForAll()
            }
            let (updates, dropped) = try await store.unhandledUpdates()
            #expect(updates.map(\.id) == (0..<29).map { Int64($0) })
            #expect(updates == (0..<29).map { BotStoreContractTests.update(Int64($0)) })
            #expect(dropped.isEmpty)
            #expect(try await fixture.count(.updates) == 29)
            #expect((10...29).contains(try await store.nextOffset() ?? 0))
        }
    }

    @Test func concurrentCommitsWithOneDedupeKeyQueueItOnce() async throws {
        try await BotStoreFixture.with(.postgres) { fixture in
            let store = fixture.store
            let message = OutgoingMessage(to: .adminChat, text: "Key #5", purpose: .adminRequest(keyID: 5))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<30 {
                    group.addTask {
                        // Each also queues one action of its own, and some share a second key in the other order.
                        var actions = [
                            QueuedAction(.send(message), dedupeKey: "request-5"),
                            QueuedAction(.send(OutgoingMessage(to: .chat(Int64(1000 + index)), text: "n\(index)"))),
                        ]
                        if index.isMultiple(of: 3) {
                            actions.insert(QueuedAction(.send(message), dedupeKey: "request-5-again"), at: 0)
                        }
                        try await store.commit(BotCommit(outgoing: actions))
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await fixture.count(.outgoing, "WHERE dedupe_key = 'request-5'") == 1)
            #expect(try await fixture.count(.outgoing, "WHERE dedupe_key = 'request-5-again'") == 1)
            #expect(try await fixture.count(.outgoing) == 32)
            let heads = try await store.nextOutgoing(limit: 100, excludingLanes: [])
            #expect(heads.count == 31, "the admin lane's head and thirty chats")
        }
    }

    /// Waits until `count` sessions of this database wait for a lock (a row lock or an advisory lock).
    static func waitForBlockedSessions(_ count: Int, on pool: PostgresPool) async throws {
        for _ in 0..<1000 {
            let rows = try await pool.query(
                """
                SELECT count(*)::int8 FROM pg_stat_activity
                WHERE datname = current_database() AND wait_event_type = 'Lock'
                """
            )
            for try await blocked in rows.decode(Int64.self) where blocked >= count { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("\(count) session(s) never waited for a lock")
    }

    /// A commit that drew its action's id and then waits (here on the Telegram account's row another transaction
    /// holds, for its language) keeps every later commit's actions from being queued before it: the queue grows in one order, as on
    /// SQLite, and no action becomes visible behind one still uncommitted.
    @Test func aCommitStillRunningHoldsBackTheActionsCommittedAfterIt() async throws {
        try await BotStoreFixture.with(.postgres) { fixture in
            let store = fixture.store
            let pool = try #require(fixture.pool)
            _ = try await store.ensureUser(telegramID: 77, username: "olga", languageCode: "ru", at: Date())
            let (locked, lockedSignal) = AsyncStream.makeStream(of: Void.self)
            let (release, releaseSignal) = AsyncStream.makeStream(of: Void.self)
            let holder = Task {
                try await pool.transaction { connection in
                    let rows = try await connection.query(
                        "SELECT 1 FROM exchange_bot_telegram_accounts WHERE telegram_id = 77 FOR UPDATE",
                        logger: pool.logger
                    )
                    for try await _ in rows {}
                    lockedSignal.yield()
                    for await _ in release { break }
                }
            }
            for await _ in locked { break }
            let first = OutgoingAction.send(OutgoingMessage(to: .adminChat, text: "first"))
            let second = OutgoingAction.send(OutgoingMessage(to: .adminChat, text: "second"))
            let waiting = Task {
                try await store.commit(BotCommit(outgoing: [QueuedAction(first)], language: (77, "en")))
            }
            // Each commit is known to be waiting (on the row lock, then on the queue's lock) before the next step,
            // so the order is the one under test, not the machine's scheduling.
            try await Self.waitForBlockedSessions(1, on: pool)
            let later = Task { try await store.commit(BotCommit(outgoing: [QueuedAction(second)])) }
            try await Self.waitForBlockedSessions(2, on: pool)
            #expect(try await store.nextOutgoing(limit: 10, excludingLanes: []).isEmpty)
            releaseSignal.yield()
            try await holder.value
            try await waiting.value
            try await later.value
            var order = [OutgoingAction]()
            while let next = try await store.nextOutgoing(limit: 10, excludingLanes: []).first {
                order.append(next.action)
                try await store.finishOutgoing(next, result: .sent(nil))
            }
            #expect(order == [first, second])
        }
    }

    /// Concurrent commits queueing into one lane: the sender sees them in the order they committed, so an action
    /// never appears behind a later one it was queued before.
    @Test func queueOrderIsCommitOrder() async throws {
        try await BotStoreFixture.with(.postgres) { fixture in
            let store = fixture.store
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        let action = OutgoingAction.send(OutgoingMessage(to: .adminChat, text: "m\(index)"))
                        try await store.commit(BotCommit(outgoing: [QueuedAction(action)]))
                    }
                }
                // Meanwhile the sender drains the lane; what it has seen must never be overtaken.
                group.addTask {
                    var seen = Set<Int64>()
                    var lastID: Int64 = 0
                    let deadline = ContinuousClock.now + .seconds(60)
                    while seen.count < 40, ContinuousClock.now < deadline {
                        guard let head = try await store.nextOutgoing(limit: 1, excludingLanes: []).first else {
                            try await Task.sleep(for: .milliseconds(2))
                            continue
                        }
                        #expect(head.id > lastID)
                        lastID = head.id
                        seen.insert(head.id)
                        try await store.finishOutgoing(head, result: .sent(nil))
                    }
                    #expect(seen.count == 40)
                }
                try await group.waitForAll()
            }
            #expect(try await fixture.count(.outgoing, "WHERE finished_at IS NULL") == 0)
        }
    }
}
