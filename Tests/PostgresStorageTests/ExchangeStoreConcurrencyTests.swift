import ExchangeBotCore
import Fernet
import Foundation
import PostgresNIO
import PostgresStorage
import TestSupport
import Testing

/// What SQLite's single writer gave for free, asked of PostgreSQL with many calls at once: each race has exactly
/// one winner (or exactly as many as the budget allows), whatever the interleaving.
@Suite struct ExchangeStoreConcurrencyTests {
    static let racers = 50

    @Test func concurrentDecisionsHaveExactlyOneWinner() async throws {
        guard StoreEngine.postgres.isAvailable else { return }
        try await ExchangeStoreFixture.with(.postgres) { fixture in
            let store = fixture.store
            let alice = try await fixture.addUser("alice")
            let key = try await Samples.insert(store, Samples.submission(alice))
            let outcomes = try await withThrowingTaskGroup(of: DecisionOutcome.self) { group in
                for index in 0..<Self.racers {
                    group.addTask {
                        let decision: Decision =
                            index.isMultiple(of: 2) ? .approve(message: nil) : .reject(reason: "race \(index)")
                        return try await store.decide(
                            id: key.id,
                            decision: decision,
                            expectedRevision: key.revision,
                            audit: Samples.audit(
                                decision.status == .approved ? .approveKey : .rejectKey,
                                by: Caller(displayName: "admin \(index)"),
                                keyID: key.id
                            )
                        )
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let winners = outcomes.compactMap { outcome -> ExchangeKey? in
                guard case .decided(let key, _) = outcome else { return nil }
                return key
            }
            #expect(winners.count == 1)
            let winner = try #require(winners.first)
            let decider = try await store.decider(ofKey: key.id)
            let losers = outcomes.filter { $0 == .alreadyDecided(winner.status, by: decider) }
            #expect(losers.count == Self.racers - 1, "every loser learns who won")
            #expect(try await store.key(id: key.id)?.status == winner.status)
            let events = try await store.undeliveredBatch(limit: 100, at: Samples.now).events
            #expect(events.filter { $0.kind != .submitted(Samples.report) }.count == 1, "one decision, one message")
        }
    }

    @Test func concurrentInsertsOfOneKeyStoreItOnce() async throws {
        guard StoreEngine.postgres.isAvailable else { return }
        try await ExchangeStoreFixture.with(.postgres) { fixture in
            let store = fixture.store
            let alice = try await fixture.addUser("alice")
            let outcomes = try await withThrowingTaskGroup(of: InsertOutcome.self) { group in
                for index in 0..<Self.racers {
                    group.addTask {
                        try await store.insertKey(
                            Samples.submission(alice, label: "Try \(index)"),
                            audit: Samples.audit(.addKey)
                        )
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let inserted = outcomes.compactMap { outcome -> ExchangeKey? in
                guard case .inserted(let key, _) = outcome else { return nil }
                return key
            }
            #expect(inserted.count == 1)
            let winner = try #require(inserted.first)
            #expect(outcomes.filter { $0 == .duplicate(existingID: winner.id) }.count == Self.racers - 1)
            #expect(try await store.keys(ofUser: alice.id).map(\.id) == [winner.id])
        }
    }

    @Test func concurrentKeyChecksGrantExactlyTheBudget() async throws {
        guard StoreEngine.postgres.isAvailable else { return }
        try await ExchangeStoreFixture.with(.postgres) { fixture in
            let store = fixture.store
            let alice = try await fixture.addUser("alice")
            let budget = KeyCheckBudget(checks: 7, window: 3600)
            let grants = try await withThrowingTaskGroup(of: KeyCheckGrant.self) { group in
                for index in 0..<Self.racers {
                    group.addTask {
                        try await store.reserveKeyCheck(
                            userID: alice.id,
                            budget: budget,
                            audit: AuditEntry(
                                at: Samples.now.addingTimeInterval(Double(index)),
                                caller: Caller(userID: alice.id),
                                action: .startKeyCheck,
                                outcome: .succeeded
                            )
                        )
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(grants.filter { $0 == .granted }.count == budget.checks)
        }
    }

    @Test func concurrentAlertsOfOneCodeOpenOnce() async throws {
        guard StoreEngine.postgres.isAvailable else { return }
        try await ExchangeStoreFixture.with(.postgres) { fixture in
            let store = fixture.store
            let alice = try await fixture.addUser("alice")
            let key = try await Samples.insert(store, Samples.submission(alice))
            let events = try await withThrowingTaskGroup(of: KeyEvent?.self) { group in
                for _ in 0..<Self.racers {
                    group.addTask {
                        try await store.raiseServiceAlert(code: "secret_unreadable", keyIDs: [key.id], at: Samples.now)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(events.compactMap { $0 }.count == 1)
        }
    }

    /// The platform may own a `users` table with only the columns its own models declare; the product never adds
    /// any, and reads the others as absent.
    @Test func aUsersTableWithOnlyThePlatformsColumnsIsRead() async throws {
        guard StoreEngine.postgres.isAvailable else { return }
        let server = try await PostgresTestServer.shared()
        let (database, _, pool) = try await server.openDatabase("platformusers")
        defer { pool.cancel() }
        try await database.query(
            """
            CREATE TABLE users (
                id SERIAL PRIMARY KEY, username VARCHAR(80), email VARCHAR(120), is_active BOOLEAN, is_admin BOOLEAN
            )
            """
        ).collect()
        try await PostgresSchema.migrate(database)
        try await database.query("INSERT INTO users (username, email) VALUES ('carol', 'carol@example.com')").collect()
        let store = PostgresExchangeStore(database: database, ring: try .init(keys: [.generate()]))
        let carol = try #require(try await store.user(id: 1))
        #expect(carol.username == "carol" && carol.telegramID == nil && carol.languageCode == nil)
        #expect(carol.isActive && !carol.isAdmin && carol.createdAt == nil)
        let outcome = try await store.insertKey(Samples.submission(carol), audit: Samples.audit(.addKey))
        guard case .inserted(_, let event) = outcome else {
            Issue.record("expected an insert, got \(outcome)")
            return
        }
        #expect(event.owner.id == carol.id)
    }
}
