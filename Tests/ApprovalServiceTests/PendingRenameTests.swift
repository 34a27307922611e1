import ExchangeBotCore
import ExchangeBotStorage
import Foundation
import GRDB
import TestSupport
import Testing

/// A pending key stays decidable when its owner renames or deactivates it, and its ids are never reused, so an old
/// request can only ever decide the key it showed.
@Suite struct PendingRenameTests {
    @Test func renamingAPendingKeyKeepsItsRequestDecidableAndRepostsIt() async throws {
        let harness = try ServiceHarness()
        let alice = try await harness.user()
        let key = try await harness.service.addKey(Sample.submission(), userID: alice.id, by: .system)
        let posted = key.revision
        harness.clock.advance(by: 5)
        let renamed = try await harness.service.updateKey(
            keyID: key.id,
            userID: alice.id,
            label: "Renamed",
            credentials: nil,
            by: .system
        )
        #expect(renamed.revision == posted)
        let event = try #require(await harness.notifier.delivered.last)
        guard case .relabeled(let report) = event.kind else {
            Issue.record("admins must see the new label, got \(event.kind)")
            return
        }
        #expect(event.key.label == "Renamed" && report?.canTrade == true)
        harness.clock.advance(by: 5)
        _ = try await harness.service.setActive(keyID: key.id, userID: alice.id, active: false, by: .system)
        #expect(try await harness.service.approve(keyID: key.id, by: .system, revision: posted).status == .approved)
    }

    @Test func newCredentialsStillOutdateTheRequest() async throws {
        let harness = try ServiceHarness()
        let alice = try await harness.user()
        let key = try await harness.service.addKey(Sample.submission(), userID: alice.id, by: .system)
        harness.clock.advance(by: 5)
        _ = try await harness.service.updateKey(
            keyID: key.id,
            userID: alice.id,
            label: nil,
            credentials: Sample.submission(secret: "another-secret"),
            by: .system
        )
        await #expect(throws: ApprovalError.requestOutdated) {
            try await harness.service.approve(keyID: key.id, by: .system, revision: key.revision)
        }
    }

    @Test func aDeletedKeysIdIsNeverGivenToAnotherKey() async throws {
        let harness = try ServiceHarness()
        let alice = try await harness.user()
        _ = try await harness.service.addKey(
            Sample.submission(apiKey: "first-key-0000000001"),
            userID: alice.id,
            by: .system
        )
        let second = try await harness.service.addKey(
            Sample.submission(apiKey: "second-key-000000001"),
            userID: alice.id,
            by: .system
        )
        try await harness.service.deleteKey(keyID: second.id, userID: alice.id, by: .system)
        let third = try await harness.service.addKey(
            Sample.submission(apiKey: "third-key-0000000001"),
            userID: alice.id,
            by: .system
        )
        #expect(third.id > second.id)
    }
}

/// Rows the Python side wrote carry no credentials time of ours: their revision follows `updated_at` until this
/// service renames or deactivates them, which then keeps it.
@Suite struct ForeignRowRevisionTests {
    @Test func renamingARowWrittenElsewhereKeepsItsRevision() async throws {
        let harness = try ServiceHarness()
        let alice = try await harness.user()
        let key = try await harness.service.addKey(Sample.submission(), userID: alice.id, by: .system)
        try await harness.database.writer.write { db in
            try db.execute(sql: "DELETE FROM key_versions WHERE exchange_id = ?", arguments: [key.id])
        }
        let posted = try #require(try await harness.store.key(id: key.id)).revision
        harness.clock.advance(by: 5)
        _ = try await harness.service.updateKey(
            keyID: key.id,
            userID: alice.id,
            label: "Elsewhere",
            credentials: nil,
            by: .system
        )
        #expect(try await harness.store.key(id: key.id)?.revision == posted)
    }
}
