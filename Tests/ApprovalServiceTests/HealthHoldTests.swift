import ExchangeBotCore
import ExchangeBotStorage
import Foundation
import GRDB
import TestSupport
import Testing

/// A key a health check deactivated for a reason of the key (it can withdraw, the exchange refuses it) is held: it
/// becomes active again only after a fresh successful check, and its owner hears of it once.
@Suite struct HealthHoldTests {
    @Test func aHeldKeyIsCheckedAgainBeforeItIsActive() async throws {
        let harness = try ServiceHarness()
        let key = try await harness.activeKey()
        await harness.validator.answer(key.apiKey, with: .failure(.withdrawalEnabled))
        #expect(await harness.service.checkApprovedKeys().deactivated == 1)

        let calls = await harness.validator.calls.count
        await #expect(throws: ApprovalError.validationFailed(.withdrawalEnabled)) {
            try await harness.service.toggleActive(keyID: key.id, userID: key.userID, by: .system)
        }
        #expect(await harness.validator.calls.count == calls + 1)
        #expect(try await harness.store.key(id: key.id)?.isActive == false)

        // Withdrawals turned off on the exchange: the next activation checks it and succeeds.
        await harness.validator.answer(
            key.apiKey,
            with: .success(ValidationReport(canTrade: true, canWithdraw: false, ipRestricted: true))
        )
        let active = try await harness.service.setActive(keyID: key.id, userID: key.userID, active: true, by: .system)
        #expect(active.isActive && active.errorMessage == nil && active.status == .approved)
        #expect(await harness.validator.calls.count == calls + 2)
        #expect(try await harness.store.report(ofKey: key.id)?.canWithdraw == false)

        // The hold is lifted: deactivating and activating again needs no new check.
        _ = try await harness.service.setActive(keyID: key.id, userID: key.userID, active: false, by: .system)
        _ = try await harness.service.setActive(keyID: key.id, userID: key.userID, active: true, by: .system)
        #expect(await harness.validator.calls.count == calls + 2)
    }

    @Test func aKeyThatStaysBrokenTellsItsOwnerOnce() async throws {
        let harness = try ServiceHarness()
        let key = try await harness.activeKey()
        await harness.validator.answer(key.apiKey, with: .failure(.invalidAPIKey))
        _ = await harness.service.checkApprovedKeys()
        let told = await harness.notifier.delivered.filter {
            $0.kind == .deactivated(reason: CredentialError.invalidAPIKey.message)
        }
        #expect(told.count == 1)
        let calls = await harness.validator.calls.count
        for _ in 0..<3 {
            let summary = await harness.service.checkApprovedKeys()
            #expect(summary.checked == 0)
        }
        #expect(await harness.validator.calls.count == calls)
        let after = await harness.notifier.delivered.filter {
            if case .deactivated = $0.kind { return true } else { return false }
        }
        #expect(after.count == 1)
    }

    @Test func newCredentialsLiftTheHold() async throws {
        let harness = try ServiceHarness()
        let key = try await harness.activeKey()
        await harness.validator.answer(key.apiKey, with: .failure(.withdrawalEnabled))
        _ = await harness.service.checkApprovedKeys()
        _ = try await harness.service.updateKey(
            keyID: key.id,
            userID: key.userID,
            label: nil,
            credentials: Sample.submission(apiKey: "replacement-key-0000001"),
            by: .system
        )
        _ = try await harness.service.approve(keyID: key.id, by: .system)
        let calls = await harness.validator.calls.count
        let active = try await harness.service.setActive(keyID: key.id, userID: key.userID, active: true, by: .system)
        #expect(active.isActive)
        #expect(await harness.validator.calls.count == calls)
    }

    /// The Python side shares the database and knows nothing of holds: if it activates a held key again (its own
    /// toggle), health checks must still look at the key, and deactivate it again while it stays broken.
    @Test func aHeldKeyActivatedByTheOtherSideIsStillChecked() async throws {
        let harness = try ServiceHarness()
        let key = try await harness.activeKey()
        await harness.validator.answer(key.apiKey, with: .failure(.withdrawalEnabled))
        #expect(await harness.service.checkApprovedKeys().deactivated == 1)
        try await harness.database.writer.write { db in
            try db.execute(sql: "UPDATE user_exchanges SET is_active = 1 WHERE id = ?", arguments: [key.id])
        }
        let summary = await harness.service.checkApprovedKeys()
        #expect(summary.checked == 1 && summary.deactivated == 1)
        #expect(try await harness.store.key(id: key.id)?.isActive == false)
        // Still told only once.
        let told = await harness.notifier.delivered.filter {
            if case .deactivated = $0.kind { return true } else { return false }
        }
        #expect(told.count == 1)
    }

    /// The Python side writes with foreign keys off, so a key may outlive its owner there. Such a key must still be
    /// deactivated when it breaks (there is just nobody to tell), not left active on every pass.
    @Test func aKeyWhoseOwnerWasDeletedElsewhereIsStillDeactivated() async throws {
        let harness = try ServiceHarness()
        let key = try await harness.activeKey()
        try await harness.database.writer.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "DELETE FROM users WHERE id = ?", arguments: [key.userID])
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        await harness.validator.answer(key.apiKey, with: .failure(.withdrawalEnabled))
        #expect(await harness.service.checkApprovedKeys().deactivated == 1)
        #expect(try await harness.store.key(id: key.id)?.isActive == false)
    }
}
