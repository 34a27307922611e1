import ExchangeBotCore
import ExchangeBotStorage
import Fernet
import Foundation
import GRDB
import TestSupport
import Testing

@Suite struct HealthCheckTests {
    /// An approved, active key and a pending one.
    func setUp() async throws -> (ServiceHarness, approved: ExchangeKey, pending: ExchangeKey) {
        let harness = try ServiceHarness()
        let alice = try await harness.user()
        let approved = try await harness.service.addKey(
            Sample.submission(apiKey: "approved-key-0001"),
            userID: alice.id,
            by: .system
        )
        _ = try await harness.service.approve(keyID: approved.id, by: .system)
        _ = try await harness.service.setActive(keyID: approved.id, userID: alice.id, active: true, by: .system)
        let pending = try await harness.service.addKey(
            Sample.submission(apiKey: "pending-key-00001"),
            userID: alice.id,
            by: .system
        )
        return (harness, approved, pending)
    }

    @Test func healthyKeysStayActiveAndOnlyApprovedOnesAreChecked() async throws {
        let (harness, approved, _) = try await setUp()
        let callsBefore = await harness.validator.calls.count
        let summary = await harness.service.checkApprovedKeys()
        #expect(summary.checked == 1 && summary.healthy == 1)
        #expect(await harness.validator.calls.count == callsBefore + 1)
        #expect(await harness.validator.calls.last?.apiKey == "approved-key-0001")
        #expect(try await harness.store.key(id: approved.id)?.isActive == true)
        #expect(try await harness.store.auditLog(limit: 1).first?.action == .checkKeyHealth)
    }

    @Test(arguments: [CredentialError.invalidSecret, .withdrawalEnabled, .ipNotWhitelisted, .invalidAPIKey])
    func brokenKeysAreDeactivatedAndTheOwnerIsTold(error: CredentialError) async throws {
        let (harness, approved, _) = try await setUp()
        await harness.validator.answer("approved-key-0001", with: .failure(error))
        let summary = await harness.service.checkApprovedKeys()
        #expect(summary.deactivated == 1)
        let key = try #require(try await harness.store.key(id: approved.id))
        #expect(!key.isActive && key.status == .approved && key.errorMessage == error.message)
        #expect(await harness.notifier.delivered.last?.kind == .deactivated(reason: error.message))
    }

    @Test(arguments: [CredentialError.timeout, .exchangeUnavailable("HTTP 503"), .rateLimited])
    func anExchangeThatCannotAnswerChangesNothing(error: CredentialError) async throws {
        let (harness, approved, _) = try await setUp()
        await harness.validator.answer("approved-key-0001", with: .failure(error))
        let events = await harness.notifier.delivered.count
        let summary = await harness.service.checkApprovedKeys()
        #expect(summary.inconclusive == 1)
        #expect(try await harness.store.key(id: approved.id)?.isActive == true)
        #expect(await harness.notifier.delivered.count == events)
        let audit = try await harness.store.auditLog(limit: 1).first
        #expect(audit?.outcome == .failed && audit?.detail == error.code)
    }
}
