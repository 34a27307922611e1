import ExchangeBotCore
import ExchangeBotStorage
import Fernet
import Foundation
import GRDB
import TestSupport
import Testing

@Suite struct OwnerActionTests {
    @Test func onlyApprovedKeysCanBeActivatedDeactivationAlwaysWorks() async throws {
        let harness = try ServiceHarness()
        let alice = try await harness.user()
        let key = try await harness.service.addKey(Sample.submission(), userID: alice.id, by: .system)
        await #expect(throws: ApprovalError.notApproved(.pending)) {
            try await harness.service.setActive(keyID: key.id, userID: alice.id, active: true, by: .system)
        }
        await #expect(throws: ApprovalError.notApproved(.pending)) {
            try await harness.service.toggleActive(keyID: key.id, userID: alice.id, by: .system)
        }
        #expect(
            try await harness.service.setActive(keyID: key.id, userID: alice.id, active: false, by: .system).isActive
                == false
        )
        _ = try await harness.service.approve(keyID: key.id, by: .system)
        #expect(try await harness.service.toggleActive(keyID: key.id, userID: alice.id, by: .system).isActive)
        #expect(try await harness.service.toggleActive(keyID: key.id, userID: alice.id, by: .system).isActive == false)
        let actions = try await harness.store.auditLog().prefix(2).map(\.action)
        #expect(actions == [.deactivateKey, .activateKey])
    }

    @Test func usersTouchOnlyTheirOwnKeys() async throws {
        let harness = try ServiceHarness()
        let alice = try await harness.user()
        let mallory = try await harness.user("mallory")
        let key = try await harness.service.addKey(Sample.submission(), userID: alice.id, by: .system)
        _ = try await harness.service.approve(keyID: key.id, by: .system)
        await #expect(throws: ApprovalError.keyNotFound) {
            try await harness.service.setActive(keyID: key.id, userID: mallory.id, active: true, by: .system)
        }
        await #expect(throws: ApprovalError.keyNotFound) {
            try await harness.service.deleteKey(keyID: key.id, userID: mallory.id, by: .system)
        }
        await #expect(throws: ApprovalError.keyNotFound) {
            try await harness.service.updateKey(
                keyID: key.id,
                userID: mallory.id,
                label: "mine",
                credentials: nil,
                by: .system
            )
        }
        #expect(try await harness.service.keys(ofUser: mallory.id).isEmpty)
        #expect(try await harness.service.keys(ofUser: alice.id).map(\.id) == [key.id])
        #expect(try await harness.store.key(id: key.id)?.label == "Main")
    }

    @Test func deleteRemovesTheKeyAndItsReportButKeepsTheAudit() async throws {
        let harness = try ServiceHarness()
        let alice = try await harness.user()
        let key = try await harness.service.addKey(Sample.submission(), userID: alice.id, by: .system)
        try await harness.service.deleteKey(keyID: key.id, userID: alice.id, by: Caller(userID: alice.id))
        #expect(try await harness.store.key(id: key.id) == nil)
        #expect(try await harness.store.report(ofKey: key.id) == nil)
        await #expect(throws: ApprovalError.keyNotFound) {
            try await harness.service.deleteKey(keyID: key.id, userID: alice.id, by: .system)
        }
        let audit = try await harness.store.auditLog()
        #expect(audit.map(\.action).prefix(2) == [.deleteKey, .deleteKey])
        #expect(audit.map(\.outcome).prefix(2) == [.refused, .succeeded])
        // It was pending: the admins' request must say it is gone.
        let events = await harness.notifier.delivered
        #expect(events.last?.kind == .withdrawn && events.last?.key.id == key.id)
    }

    @Test func deletingADecidedKeyTellsNoOne() async throws {
        let harness = try ServiceHarness()
        let alice = try await harness.user()
        let key = try await harness.service.addKey(Sample.submission(), userID: alice.id, by: .system)
        _ = try await harness.service.reject(keyID: key.id, by: .system, reason: "no")
        let before = await harness.notifier.delivered.count
        try await harness.service.deleteKey(keyID: key.id, userID: alice.id, by: Caller(userID: alice.id))
        #expect(await harness.notifier.delivered.count == before)
    }

    @Test func newCredentialsAreRevalidatedAndGoBackToPending() async throws {
        let harness = try ServiceHarness()
        let alice = try await harness.user()
        let key = try await harness.service.addKey(Sample.submission(), userID: alice.id, by: .system)
        _ = try await harness.service.approve(keyID: key.id, by: .system)
        _ = try await harness.service.setActive(keyID: key.id, userID: alice.id, active: true, by: .system)
        let updated = try await harness.service.updateKey(
            keyID: key.id,
            userID: alice.id,
            label: "Renamed",
            credentials: Sample.submission(exchange: "", apiKey: "new-api-key-0000001", secret: "new-secret"),
            by: .system
        )
        #expect(updated.status == .pending && !updated.isActive && updated.label == "Renamed")
        #expect(updated.apiKey == "new-api-key-0000001")
        #expect(try await harness.store.credentials(ofKey: key.id)?.apiSecret.exposedValue == "new-secret")
        #expect(await harness.validator.calls.count == 2)
        #expect(try await harness.service.pendingRequests().map(\.key.id) == [key.id])
        guard case .submitted = try #require(await harness.notifier.delivered.last).kind else {
            Issue.record("admins must be asked again")
            return
        }
    }

    @Test func aRenameAloneKeepsTheStatus() async throws {
        let harness = try ServiceHarness()
        let alice = try await harness.user()
        let key = try await harness.service.addKey(Sample.submission(), userID: alice.id, by: .system)
        _ = try await harness.service.approve(keyID: key.id, by: .system)
        let renamed = try await harness.service.updateKey(
            keyID: key.id,
            userID: alice.id,
            label: " Spot ",
            credentials: nil,
            by: .system
        )
        #expect(renamed.label == "Spot" && renamed.status == .approved)
        #expect(await harness.validator.calls.count == 1)
    }

    @Test func invalidNewCredentialsChangeNothing() async throws {
        let harness = try ServiceHarness()
        let alice = try await harness.user()
        let key = try await harness.service.addKey(Sample.submission(), userID: alice.id, by: .system)
        _ = try await harness.service.approve(keyID: key.id, by: .system)
        await harness.validator.answer("bad-key-000000001", with: .failure(.invalidAPIKey))
        await #expect(throws: ApprovalError.validationFailed(.invalidAPIKey)) {
            try await harness.service.updateKey(
                keyID: key.id,
                userID: alice.id,
                label: nil,
                credentials: Sample.submission(apiKey: "bad-key-000000001"),
                by: .system
            )
        }
        await #expect(throws: ApprovalError.self) {
            try await harness.service.updateKey(
                keyID: key.id,
                userID: alice.id,
                label: nil,
                credentials: Sample.submission(exchange: "bybit"),
                by: .system
            )
        }
        let stored = try #require(try await harness.store.key(id: key.id))
        #expect(stored.status == .approved && stored.apiKey == Sample.submission().apiKey)
    }

    @Test func updatingToAnotherOwnKeyIsADuplicate() async throws {
        let harness = try ServiceHarness()
        let alice = try await harness.user()
        let first = try await harness.service.addKey(
            Sample.submission(apiKey: "first-key-00000001"),
            userID: alice.id,
            by: .system
        )
        let second = try await harness.service.addKey(
            Sample.submission(apiKey: "second-key-0000001"),
            userID: alice.id,
            by: .system
        )
        await #expect(throws: ApprovalError.duplicateKey(existingID: first.id)) {
            try await harness.service.updateKey(
                keyID: second.id,
                userID: alice.id,
                label: nil,
                credentials: Sample.submission(apiKey: "first-key-00000001"),
                by: .system
            )
        }
    }
}
