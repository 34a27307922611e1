import ExchangeBotCore
import Fernet
import Foundation
import GRDB
import TestSupport
import Testing

@testable import ExchangeBotStorage

/// The outbox holds no clear text, still delivers rows older versions wrote, parks rows it cannot read, and
/// forgets delivered rows after the retention.
@Suite struct OutboxTests {
    static func rawEvents(_ harness: ServiceHarness) async throws -> [String] {
        try await harness.database.writer.read { db in try String.fetchAll(db, sql: "SELECT event FROM outbox") }
    }

    @Test func eventsAreSealedAndCarryNoEmail() async throws {
        let harness = try ServiceHarness()
        await harness.notifier.setFailing(true)
        let alice = try await harness.user()
        let submission = Sample.submission(label: "Visible-label")
        _ = try await harness.service.addKey(submission, userID: alice.id, by: .system)
        let raw = try await Self.rawEvents(harness)
        #expect(raw.count == 1)
        for text in raw {
            #expect(!text.contains(submission.apiKey) && !text.contains("alice@example.com"))
            #expect(!text.contains("Visible-label"))
        }
        let events = try await harness.store.undeliveredEvents(limit: 10)
        #expect(events.first?.key.apiKey == submission.apiKey && events.first?.owner.email == nil)
        #expect(events.first?.owner.id == alice.id)
    }

    @Test func rowsWrittenInClearByAnEarlierVersionAreDeliveredAndSealed() async throws {
        let harness = try ServiceHarness()
        let alice = try await harness.user()
        let key = ExchangeKey(
            id: 7,
            userID: alice.id,
            exchangeName: "binance",
            label: "Old",
            apiKey: "legacy-api-key-000000001",
            status: .approved,
            isActive: false
        )
        let legacy = KeyEvent(outboxID: 0, kind: .approved(message: nil), key: key, owner: alice)
        let json = String(decoding: try JSONEncoder().encode(legacy), as: UTF8.self)
        try await harness.database.writer.write { db in
            try db.execute(
                sql: "INSERT INTO outbox (event, created_at) VALUES (?, '2026-01-01 00:00:00.000000')",
                arguments: [json]
            )
            try db.execute(
                sql: "INSERT INTO outbox (event, created_at) VALUES (?, '2026-01-01 00:00:00.000000')",
                arguments: [json]
            )
        }
        #expect(try await harness.store.sealLegacyOutboxRows() == 2)
        #expect(try await Self.rawEvents(harness).allSatisfy { !$0.contains("legacy-api-key") })
        #expect(await harness.service.deliverPendingEvents() == 2)
        #expect(await harness.notifier.delivered.first?.key.apiKey == "legacy-api-key-000000001")
    }

    @Test func unreadableRowsAreParkedAndDoNotBlockTheRelay() async throws {
        let harness = try ServiceHarness()
        let alice = try await harness.user()
        try await harness.database.writer.write { db in
            for index in 0..<120 {
                try db.execute(
                    sql: "INSERT INTO outbox (event, created_at) VALUES (?, '2026-01-01 00:00:00.000000')",
                    arguments: [index % 2 == 0 ? "{\"not\": \"an event\"}" : "gAAAAAnot-a-token"]
                )
            }
        }
        await harness.notifier.setFailing(true)
        _ = try await harness.service.addKey(Sample.submission(), userID: alice.id, by: .system)
        await harness.notifier.setFailing(false)
        let problems = ProblemRecorder()
        let service = ApprovalService(
            store: harness.store,
            validator: harness.validator,
            notifier: harness.notifier,
            clock: harness.clock,
            problems: { problems.record($0) }
        )
        #expect(await service.deliverPendingEvents() == 1)
        #expect(problems.count == 120)
        #expect(await service.deliverPendingEvents() == 0)
        #expect(problems.count == 120)
        let parked = try await harness.database.writer.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE parked_at IS NOT NULL")
        }
        #expect(parked == 120)
    }

    /// Item 9's scenario for the outbox: `rotate-key` ran elsewhere with `NEW,OLD` while this process has only
    /// `OLD`. The re-sealed notifications cannot be opened and are parked; once the process runs with the new key,
    /// they go out instead of being lost.
    @Test func rowsParkedForAKeyThisProcessLackedAreDeliveredOnceItHasIt() async throws {
        let old = FernetKey.generate()
        let new = FernetKey.generate()
        let harness = try ServiceHarness(ring: try MultiFernet(keys: [old]))
        let alice = try await harness.user()
        await harness.notifier.setFailing(true)
        _ = try await harness.service.addKey(Sample.submission(), userID: alice.id, by: .system)
        _ = try MasterKeyRotation.rotate(harness.database, ring: try MultiFernet(keys: [new, old]))
        await harness.notifier.setFailing(false)
        #expect(await harness.service.deliverPendingEvents() == 0, "parked: this process cannot open it")
        #expect(try await harness.store.unparkReadableOutboxRows() == 0, "still unreadable here")

        let restarted = SQLiteExchangeStore(database: harness.database, ring: try MultiFernet(keys: [new, old]))
        #expect(try await restarted.unparkReadableOutboxRows() == 1)
        let service = ApprovalService(
            store: restarted,
            validator: harness.validator,
            notifier: harness.notifier,
            clock: harness.clock
        )
        #expect(await service.deliverPendingEvents() == 1)
        #expect(await harness.notifier.delivered.last?.owner.id == alice.id)
    }

    @Test func deliveredRowsArePrunedAfterTheRetention() async throws {
        let harness = try ServiceHarness()
        let alice = try await harness.user()
        _ = try await harness.service.addKey(
            Sample.submission(apiKey: "delivered-key-0000001"),
            userID: alice.id,
            by: .system
        )
        harness.clock.advance(by: 40 * 86_400)
        await harness.notifier.setFailing(true)
        _ = try await harness.service.addKey(
            Sample.submission(apiKey: "waiting-key-000000001"),
            userID: alice.id,
            by: .system
        )
        _ = try await harness.service.approve(keyID: 1, by: .system)
        await harness.notifier.setFailing(false)
        _ = await harness.service.deliverPendingEvents()
        await harness.notifier.setFailing(true)
        _ = try await harness.service.approve(keyID: 2, by: .system)
        let cutoff = harness.clock.now().addingTimeInterval(-30 * 86_400)
        #expect(try await harness.store.pruneOutbox(before: cutoff) == 1)
        #expect(try await Self.rawEvents(harness).count == 3)
        #expect(try await harness.store.undeliveredEvents(limit: 10).count == 1)
    }
}

/// Counts reported service problems.
final class ProblemRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var problems: [ServiceProblem] = []

    var count: Int { lock.withLock { problems.count } }

    func record(_ problem: ServiceProblem) { lock.withLock { problems.append(problem) } }
}
