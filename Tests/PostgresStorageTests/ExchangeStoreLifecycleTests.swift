import ExchangeBotCore
import Fernet
import Foundation
import TestSupport
import Testing

/// The ``ExchangeStore`` contract for what happens around keys (activation and health holds, service alerts, the
/// key-check budget, the outbox, the audit log, secrecy at rest), the same assertions on SQLite and PostgreSQL.
@Suite struct ExchangeStoreLifecycleTests {
    @Test(arguments: StoreEngine.allCases)
    func activationHealthAndHolds(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        try await ExchangeStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let alice = try await fixture.addUser("alice")
            let key = try await Samples.insert(store, Samples.submission(alice))
            let activatePending = try await store.setActive(
                id: key.id,
                ownerID: alice.id,
                active: true,
                freshReport: nil,
                audit: Samples.audit(.activateKey)
            )
            #expect(activatePending == .notApproved(.pending))
            #expect(
                try await store.recordHealth(id: key.id, outcome: .broken(reason: "x"), audit: Samples.healthAudit)
                    == nil
            )

            _ = try await store.decide(
                id: key.id,
                decision: .approve(message: nil),
                expectedRevision: key.revision,
                audit: Samples.audit(.approveKey, by: Samples.admin)
            )
            let active = try await store.setActive(
                id: key.id,
                ownerID: alice.id,
                active: true,
                freshReport: nil,
                audit: Samples.audit(.activateKey)
            )
            guard case .updated(let activated, nil) = active else {
                Issue.record("expected an activation, got \(active)")
                return
            }
            #expect(activated.isActive && activated.revision == key.revision)
            #expect(try await store.approvedKeys().map(\.id) == [key.id])
            #expect(
                try await store.recordHealth(id: key.id, outcome: .healthy(Samples.report), audit: Samples.healthAudit)
                    == nil
            )

            let broken = try await store.recordHealth(
                id: key.id,
                outcome: .broken(reason: "revoked"),
                audit: Samples.healthAudit
            )
            #expect(broken?.kind == .deactivated(reason: "revoked") && broken?.owner.id == alice.id)
            #expect(
                try await store.recordHealth(
                    id: key.id,
                    outcome: .broken(reason: "revoked"),
                    audit: Samples.healthAudit
                ) == nil
            )
            let held = try #require(try await store.key(id: key.id))
            #expect(!held.isActive && held.errorMessage == "revoked" && held.status == .approved)
            #expect(try await store.approvedKeys().isEmpty, "a held key is checked only when activated")

            let unchecked = try await store.setActive(
                id: key.id,
                ownerID: alice.id,
                active: true,
                freshReport: nil,
                audit: Samples.audit(.activateKey)
            )
            #expect(unchecked == .checkRequired)
            let checked = try await store.setActive(
                id: key.id,
                ownerID: alice.id,
                active: true,
                freshReport: Samples.report,
                audit: Samples.audit(.activateKey)
            )
            guard case .updated(let reactivated, _) = checked else {
                Issue.record("expected an activation, got \(checked)")
                return
            }
            #expect(reactivated.isActive && reactivated.errorMessage == nil)
            #expect(try await store.approvedKeys().map(\.id) == [key.id])
            let deactivated = try await store.setActive(
                id: key.id,
                ownerID: alice.id,
                active: false,
                freshReport: nil,
                audit: Samples.audit(.deactivateKey)
            )
            #expect((try? deactivated.key)?.isActive == false)
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func serviceAlertsOpenOncePerCode(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        try await ExchangeStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let alice = try await fixture.addUser("alice")
            let key = try await Samples.insert(store, Samples.submission(alice))
            let raised = try await store.raiseServiceAlert(
                code: "secret_unreadable",
                keyIDs: [999, key.id],
                at: Samples.now
            )
            #expect(raised?.kind == .serviceAlert(code: "secret_unreadable", count: 2) && raised?.key.id == key.id)
            #expect(
                try await store.raiseServiceAlert(code: "secret_unreadable", keyIDs: [key.id], at: Samples.now) == nil
            )
            try await store.closeServiceAlerts(except: ["secret_unreadable"])
            #expect(
                try await store.raiseServiceAlert(code: "secret_unreadable", keyIDs: [key.id], at: Samples.now) == nil
            )
            try await store.closeServiceAlerts(except: [])
            let again = try await store.raiseServiceAlert(code: "secret_unreadable", keyIDs: [key.id], at: Samples.now)
            #expect(again?.kind == .serviceAlert(code: "secret_unreadable", count: 1))
            #expect(try await store.raiseServiceAlert(code: "unknown_exchange", keyIDs: [], at: Samples.now) == nil)
            #expect(
                try await store.raiseServiceAlert(code: "unknown_exchange", keyIDs: [key.id], at: Samples.now) == nil
            )
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func keyCheckBudget(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        try await ExchangeStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let alice = try await fixture.addUser("alice")
            let bob = try await fixture.addUser("bob")
            let budget = KeyCheckBudget(checks: 3, window: 3600)
            func reserve(_ user: User, after seconds: TimeInterval) async throws -> KeyCheckGrant {
                let at = Samples.now.addingTimeInterval(seconds)
                return try await store.reserveKeyCheck(
                    userID: user.id,
                    budget: budget,
                    audit: AuditEntry(at: at, caller: .system, action: .startKeyCheck, outcome: .succeeded)
                        .owned(by: user.id)
                )
            }
            #expect(try await reserve(alice, after: 0) == .granted)
            #expect(try await reserve(alice, after: 600) == .granted)
            #expect(try await reserve(alice, after: 1200) == .granted)
            #expect(try await reserve(alice, after: 1800) == .exhausted(retryAfterSeconds: 1800))
            #expect(try await reserve(bob, after: 1800) == .granted, "each user has a budget of their own")
            #expect(try await reserve(alice, after: 3601) == .granted)
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func outboxDeliversInOrderAndParksWhatItCannotRead(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        try await ExchangeStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let alice = try await fixture.addUser("alice")
            let first = try await Samples.insert(store, Samples.submission(alice))
            let second = try await Samples.insert(store, Samples.submission(alice, apiKey: "contract-api-key-0000006"))
            let batch = try await store.undeliveredBatch(limit: 10, at: Samples.now)
            #expect(batch.events.map(\.key.id) == [first.id, second.id] && batch.parked.isEmpty)
            #expect(batch.events.allSatisfy { $0.owner.email == nil }, "the outbox keeps no email")
            #expect(try await store.undeliveredBatch(limit: 1, at: Samples.now).events.map(\.key.id) == [first.id])
            let firstOutboxID = try #require(batch.events.first?.outboxID)
            try await store.markDelivered(outboxID: firstOutboxID, at: Samples.now)
            #expect(try await store.undeliveredBatch(limit: 10, at: Samples.now).events.map(\.key.id) == [second.id])

            // Another process whose master key opens none of these events parks them, once.
            let stranger = fixture.reopen(try MultiFernet(keys: [FernetKey.generate()]))
            let parked = try await stranger.undeliveredBatch(limit: 10, at: Samples.now)
            #expect(parked.events.isEmpty && parked.parked.count == 1)
            #expect(try await stranger.undeliveredBatch(limit: 10, at: Samples.now).parked.isEmpty)
            #expect(try await store.undeliveredBatch(limit: 10, at: Samples.now).events.isEmpty, "parked rows wait")
            #expect(try await stranger.unparkReadableOutboxRows() == 0)
            #expect(try await store.unparkReadableOutboxRows() == 1)
            #expect(try await store.undeliveredBatch(limit: 10, at: Samples.now).events.map(\.key.id) == [second.id])

            try await fixture.execute(
                "INSERT INTO \(fixture.table("outbox")) (event, created_at) VALUES ('gAAAAAnot-a-token', '2026-01-01 00:00:00')"
            )
            let damaged = try await store.undeliveredBatch(limit: 10, at: Samples.now)
            #expect(damaged.events.map(\.key.id) == [second.id] && damaged.parked.count == 1)
            #expect(try await store.sealLegacyOutboxRows() == 0)
            let later = Samples.now.addingTimeInterval(86_400)
            #expect(try await store.pruneOutbox(before: later) == 2, "the delivered row and the parked one")
            #expect(try await store.undeliveredBatch(limit: 10, at: later).events.count == 1)
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func auditEntriesAreAppended(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        try await ExchangeStoreFixture.with(engine) { fixture in
            let entry = AuditEntry(
                at: Samples.now,
                caller: Caller(userID: 5, telegramID: 55, displayName: "@eve"),
                action: .deleteKey,
                keyID: 77,
                outcome: .refused,
                detail: "not_owner"
            )
            try await fixture.store.recordAudit(entry)
            let count = try await fixture.scalar(
                """
                SELECT count(*) FROM \(fixture.table("audit_log"))
                WHERE user_id = 5 AND telegram_id = 55 AND actor = '@eve' AND action = 'key.delete'
                    AND exchange_id = 77 AND outcome = 'refused' AND detail = 'not_owner'
                """
            )
            #expect(count == 1)
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func noSecretIsStoredInClear(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        try await ExchangeStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let alice = try await fixture.addUser("alice")
            let key = try await Samples.insert(store, Samples.submission(alice))
            _ = try await store.updateKey(
                id: key.id,
                ownerID: alice.id,
                change: KeyChange(label: "Renamed", at: Samples.now),
                audit: Samples.audit(.updateKey)
            )
            _ = try await store.decide(
                id: key.id,
                decision: .approve(message: nil),
                expectedRevision: nil,
                audit: Samples.audit(.approveKey)
            )
            let dump = try await fixture.dump()
            // Booleans, not the values: a failed expectation must not print a secret.
            let hasRows = dump.contains("Renamed")
            let secretInClear = dump.contains(Samples.secret)
            let passphraseInClear = dump.contains(Samples.passphrase)
            let emailInOutbox = dump.components(separatedBy: "\n").filter { $0.contains("alice@example.com") }.count
            #expect(hasRows)
            #expect(!secretInClear, "a secret is stored in clear")
            #expect(!passphraseInClear, "a passphrase is stored in clear")
            #expect(emailInOutbox == 1, "only the users row holds the email")
        }
    }
}
