import ExchangeBotCore
import ExchangeBotStorage
import Foundation
import TestSupport
import Testing

/// A disabled account (`users.is_active = 0`) can change none of its keys, from the bot or the REST API.
@Suite struct DisabledUserTests {
    @Test func aDisabledUserCannotActivateDeactivateOrDeleteKeys() async throws {
        let harness = try ServiceHarness()
        let key = try await harness.activeKey()
        try await harness.setUserActive(key.userID, false)
        let service = harness.service
        await #expect(throws: ApprovalError.userInactive) {
            try await service.setActive(keyID: key.id, userID: key.userID, active: false, by: .system)
        }
        await #expect(throws: ApprovalError.userInactive) {
            try await service.toggleActive(keyID: key.id, userID: key.userID, by: .system)
        }
        await #expect(throws: ApprovalError.userInactive) {
            try await service.deleteKey(keyID: key.id, userID: key.userID, by: .system)
        }
        await #expect(throws: ApprovalError.userInactive) {
            try await service.updateKey(keyID: key.id, userID: key.userID, label: "New", credentials: nil, by: .system)
        }
        let stored = try #require(try await harness.store.key(id: key.id))
        #expect(stored.isActive && stored.label == key.label)
        let audit = try await harness.store.auditLog(limit: 4)
        #expect(audit.allSatisfy { $0.outcome == .refused && $0.detail == "user_inactive" })
        #expect(Set(audit.map(\.action)) == [.deactivateKey, .activateKey, .deleteKey, .updateKey])
    }

    @Test func reEnabledUsersActAgain() async throws {
        let harness = try ServiceHarness()
        let key = try await harness.activeKey()
        try await harness.setUserActive(key.userID, false)
        try await harness.setUserActive(key.userID, true)
        #expect(
            try await harness.service.toggleActive(keyID: key.id, userID: key.userID, by: .system).isActive == false
        )
    }
}
