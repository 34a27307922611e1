import ExchangeBotCore
import ExchangeBotStorage
import Fernet
import Foundation
import GRDB
import TestSupport
import Testing

/// Health checks that fail for the service's own reason (a master key that opens no secret, an exchange name it
/// does not know) change no key and tell no owner; the admin group hears of it once.
@Suite struct ServiceFaultTests {
    @Test func secretsTheKeyRingCannotOpenChangeNothingAndAlertAdminsOnce() async throws {
        let harness = try ServiceHarness()
        let alice = try await harness.activeKey(user: "alice", apiKey: "alice-key-00000000001")
        let bob = try await harness.activeKey(user: "bob", apiKey: "bob-key-000000000001")
        let eventsBefore = await harness.notifier.delivered.count
        // `rotate-key` ran with NEW,OLD while this process still has only a key it never used.
        let stranger = SQLiteExchangeStore(database: harness.database, ring: try MultiFernet(keys: [.generate()]))
        let problems = ProblemLog()
        let service = harness.service(store: stranger, problems: problems)

        let summary = await service.checkApprovedKeys()
        #expect(summary.deactivated == 0 && summary.uncheckable == ["secret_unreadable": [alice.id, bob.id]])
        for key in [alice, bob] {
            let stored = try #require(try await harness.store.key(id: key.id))
            #expect(stored.isActive && stored.errorMessage == nil)
        }
        #expect(problems.problems.contains(.keyUncheckable(keyID: alice.id, code: "secret_unreadable")))
        var events = await harness.notifier.delivered.dropFirst(eventsBefore)
        #expect(events.map(\.kind) == [.serviceAlert(code: "secret_unreadable", count: 2)])

        _ = await service.checkApprovedKeys()
        events = await harness.notifier.delivered.dropFirst(eventsBefore)
        #expect(events.count == 1)
        #expect(try await harness.store.auditLog(limit: 1).first?.outcome == .failed)

        // Fixed, then broken again: a new alert.
        _ = await harness.service.checkApprovedKeys()
        _ = await service.checkApprovedKeys()
        events = await harness.notifier.delivered.dropFirst(eventsBefore)
        #expect(events.count == 2)
    }

    @Test func anUnknownExchangeNameIsTheServicesFault() async throws {
        let harness = try ServiceHarness()
        let key = try await harness.activeKey()
        try await harness.database.writer.write { db in
            try db.execute(sql: "UPDATE user_exchanges SET exchange_name = 'ftx' WHERE id = ?", arguments: [key.id])
        }
        let summary = await harness.service.checkApprovedKeys()
        #expect(summary.uncheckable == ["unknown_exchange": [key.id]])
        #expect(try await harness.store.key(id: key.id)?.isActive == true)
        #expect(await harness.notifier.delivered.last?.kind == .serviceAlert(code: "unknown_exchange", count: 1))
    }
}
