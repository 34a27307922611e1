import ExchangeBotCore
import ExchangeBotStorage
import Foundation
import TestSupport
import Testing

/// `API_KEY_SUBMIT_LIMIT`: the key checks one user may start, counted in the database before any exchange call,
/// shared by every front end and every process on that database.
@Suite struct KeyCheckBudgetTests {
    static let budget = KeyCheckBudget(checks: 2, window: 3600)

    @Test func theBudgetStopsKeyChecksBeforeTheExchangeIsCalled() async throws {
        let harness = try ServiceHarness()
        let service = harness.service(budget: Self.budget)
        let alice = try await harness.user()
        let first = try await service.addKey(
            Sample.submission(apiKey: "budget-key-000000001"),
            userID: alice.id,
            by: .system
        )
        harness.clock.advance(by: 600)
        _ = try await service.updateKey(
            keyID: first.id,
            userID: alice.id,
            label: nil,
            credentials: Sample.submission(apiKey: "budget-key-000000002"),
            by: .system
        )
        harness.clock.advance(by: 60)
        await #expect(throws: ApprovalError.tooManyKeyChecks(retryAfterSeconds: 3600 - 660)) {
            try await service.addKey(Sample.submission(apiKey: "budget-key-000000003"), userID: alice.id, by: .system)
        }
        #expect(await harness.validator.calls.count == 2)
        let refusal = try #require(try await harness.store.auditLog(limit: 1).first)
        #expect(refusal.action == .addKey && refusal.outcome == .refused && refusal.detail == "too_many_key_checks")

        // Another process on the same database (or this one after a restart) counts the same checks.
        let restarted = harness.service(budget: Self.budget)
        await #expect(throws: ApprovalError.self) {
            try await restarted.addKey(Sample.submission(apiKey: "budget-key-000000003"), userID: alice.id, by: .system)
        }
        // Once the first check leaves the window, one more may start.
        harness.clock.advance(by: 3600 - 660)
        _ = try await restarted.addKey(Sample.submission(apiKey: "budget-key-000000003"), userID: alice.id, by: .system)
        #expect(await harness.validator.calls.count == 3)
    }

    @Test func eachUserHasABudgetAndRefusedInputCostsNothing() async throws {
        let harness = try ServiceHarness()
        let service = harness.service(budget: KeyCheckBudget(checks: 1, window: 3600))
        let alice = try await harness.user()
        let bob = try await harness.user("bob")
        await #expect(throws: ApprovalError.self) {
            try await service.addKey(Sample.submission(exchange: "nowhere"), userID: alice.id, by: .system)
        }
        _ = try await service.addKey(Sample.submission(), userID: alice.id, by: .system)
        _ = try await service.addKey(Sample.submission(), userID: bob.id, by: .system)
        await #expect(throws: ApprovalError.tooManyKeyChecks(retryAfterSeconds: 3600)) {
            try await service.addKey(Sample.submission(apiKey: "another-key-0000000001"), userID: bob.id, by: .system)
        }
    }

    @Test func aRenameIsNotAKeyCheck() async throws {
        let harness = try ServiceHarness()
        let service = harness.service(budget: KeyCheckBudget(checks: 1, window: 3600))
        let alice = try await harness.user()
        let key = try await service.addKey(Sample.submission(), userID: alice.id, by: .system)
        for label in ["One", "Two", "Three"] {
            _ = try await service.updateKey(
                keyID: key.id,
                userID: alice.id,
                label: label,
                credentials: nil,
                by: .system
            )
        }
    }
}
