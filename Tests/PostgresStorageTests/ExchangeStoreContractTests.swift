import ExchangeBotCore
import Fernet
import Foundation
import TestSupport
import Testing

/// The ``ExchangeStore`` contract, the same assertions on SQLite and on PostgreSQL, through the protocol only.
@Suite struct ExchangeStoreContractTests {
    @Test(arguments: StoreEngine.allCases)
    func insertListAndDuplicate(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        try await ExchangeStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let alice = try await fixture.addUser("alice", telegramID: 42)
            #expect(alice.telegramID == 42 && alice.email == "alice@example.com" && alice.isActive && !alice.isAdmin)
            #expect(try await store.user(id: alice.id + 1000) == nil)

            let outcome = try await store.insertKey(Samples.submission(alice), audit: Samples.audit(.addKey))
            guard case .inserted(let key, let event) = outcome else {
                Issue.record("expected an insert, got \(outcome)")
                return
            }
            #expect(key.status == .pending && !key.isActive && key.hasPassphrase && key.label == "Main")
            #expect(key.apiKey == "contract-api-key-0000001" && key.exchangeName == "okx" && key.userID == alice.id)
            #expect(key.createdAt == Samples.now && key.credentialsChangedAt == Samples.now)
            #expect(event.kind == .submitted(Samples.report) && event.owner.id == alice.id && event.key == key)
            #expect(event.outboxID > 0 && event.decidedBy == nil)
            #expect(try await store.keys(ofUser: alice.id) == [key])
            #expect(try await store.key(id: key.id) == key)
            let audited = try await fixture.scalar(
                "SELECT count(*) FROM \(fixture.table("audit_log")) WHERE action = 'key.add' AND exchange_id = \(key.id)"
            )
            #expect(audited == 1, "the audit entry names the new key")

            let again = try await store.insertKey(
                Samples.submission(alice, label: "Again"),
                audit: Samples.audit(.addKey)
            )
            #expect(again == .duplicate(existingID: key.id))
            let otherExchange = try await store.insertKey(
                Samples.submission(alice, exchange: .binance),
                audit: Samples.audit(.addKey)
            )
            guard case .inserted(let second, _) = otherExchange else {
                Issue.record("the same API key on another exchange is another key")
                return
            }
            #expect(!second.hasPassphrase && second.id > key.id)
            #expect(try await store.keys(ofUser: alice.id).map(\.id) == [key.id, second.id])

            let credentials = try #require(try await store.credentials(ofKey: key.id))
            let opened =
                credentials.apiSecret.exposedValue == Samples.secret
                && credentials.passphrase?.exposedValue == Samples.passphrase
            #expect(opened && credentials.exchange == .okx && credentials.apiKey == key.apiKey)
            #expect(try await store.credentials(ofKey: 999_999) == nil)
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func updateLabelAndCredentials(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        try await ExchangeStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let alice = try await fixture.addUser("alice")
            let bob = try await fixture.addUser("bob")
            let key = try await Samples.insert(store, Samples.submission(alice))
            let later = Samples.now.addingTimeInterval(60)

            let renamed = try await store.updateKey(
                id: key.id,
                ownerID: alice.id,
                change: KeyChange(label: "Renamed", at: later),
                audit: Samples.audit(.updateKey, keyID: key.id, at: later)
            )
            guard case .updated(let relabeled, let event) = renamed else {
                Issue.record("expected an update, got \(renamed)")
                return
            }
            #expect(relabeled.label == "Renamed" && relabeled.revision == key.revision, "a label is not a version")
            #expect(event?.kind == .relabeled(Samples.report) && event?.key.label == "Renamed")
            let notOwner = try await store.updateKey(
                id: key.id,
                ownerID: bob.id,
                change: KeyChange(label: "Stolen", at: later),
                audit: Samples.audit(.updateKey)
            )
            #expect(notOwner == .notFound)

            _ = try await store.decide(
                id: key.id,
                decision: .approve(message: nil),
                expectedRevision: nil,
                audit: Samples.audit(.approveKey, by: Samples.admin)
            )
            _ = try await store.setActive(
                id: key.id,
                ownerID: alice.id,
                active: true,
                freshReport: nil,
                audit: Samples.audit(.activateKey)
            )
            let newReport = ValidationReport(canTrade: true, canWithdraw: false, permissions: ["SPOT", "FUTURES"])
            let even = later.addingTimeInterval(60)
            let replaced = try await store.updateKey(
                id: key.id,
                ownerID: alice.id,
                change: KeyChange(
                    credentials: Samples.credentials(apiKey: "contract-api-key-0000002"),
                    report: newReport,
                    at: even
                ),
                audit: Samples.audit(.updateKey, keyID: key.id, at: even)
            )
            guard case .updated(let updated, let submitted) = replaced else {
                Issue.record("expected an update, got \(replaced)")
                return
            }
            #expect(updated.status == .pending && !updated.isActive && updated.apiKey == "contract-api-key-0000002")
            #expect(updated.revision != key.revision && updated.credentialsChangedAt == even)
            #expect(submitted?.kind == .submitted(newReport))
            #expect(try await store.pendingRequests().first?.report == newReport)

            let other = try await Samples.insert(store, Samples.submission(alice, apiKey: "contract-api-key-0000003"))
            let collision = try await store.updateKey(
                id: other.id,
                ownerID: alice.id,
                change: KeyChange(
                    label: "Renamed in a refused change",
                    credentials: Samples.credentials(apiKey: "contract-api-key-0000002"),
                    at: even
                ),
                audit: Samples.audit(.updateKey)
            )
            #expect(collision == .duplicate(existingID: key.id))
            // A refused change changes nothing, its label included.
            let untouched = try #require(try await store.key(id: other.id))
            #expect(untouched.label == other.label && untouched.apiKey == other.apiKey)
            #expect(untouched.updatedAt == other.updatedAt && untouched.revision == other.revision)
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func deleteLeavesAWithdrawnEventForPendingKeys(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        try await ExchangeStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let alice = try await fixture.addUser("alice")
            let bob = try await fixture.addUser("bob")
            let pending = try await Samples.insert(store, Samples.submission(alice))
            let approved = try await Samples.insert(
                store,
                Samples.submission(alice, apiKey: "contract-api-key-0000009")
            )
            _ = try await store.decide(
                id: approved.id,
                decision: .approve(message: nil),
                expectedRevision: nil,
                audit: Samples.audit(.approveKey, by: Samples.admin)
            )
            let caller = Caller(userID: alice.id, displayName: "@alice")
            let notOwner = try await store.deleteKey(id: pending.id, ownerID: bob.id, audit: Samples.audit(.deleteKey))
            #expect(notOwner == .notFound)
            let withdrawn = try await store.deleteKey(
                id: pending.id,
                ownerID: alice.id,
                audit: Samples.audit(.deleteKey, by: caller, keyID: pending.id)
            )
            guard case .deleted(let event) = withdrawn else {
                Issue.record("expected a deletion, got \(withdrawn)")
                return
            }
            #expect(event?.kind == .withdrawn && event?.key.id == pending.id && event?.decidedBy == caller)
            let quiet = try await store.deleteKey(id: approved.id, ownerID: alice.id, audit: Samples.audit(.deleteKey))
            #expect(quiet == .deleted(event: nil))
            #expect(try await store.keys(ofUser: alice.id).isEmpty)
            #expect(try await store.key(id: pending.id) == nil)

            let next = try await Samples.insert(store, Samples.submission(alice))
            #expect(next.id > approved.id, "a deleted key's id is never given again")
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func decisionsAreCompareAndSet(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        try await ExchangeStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let alice = try await fixture.addUser("alice")
            let key = try await Samples.insert(store, Samples.submission(alice))
            let missing = try await store.decide(
                id: 999_999,
                decision: .approve(message: nil),
                expectedRevision: nil,
                audit: Samples.audit(.approveKey)
            )
            #expect(missing == .notFound)
            let outdated = try await store.decide(
                id: key.id,
                decision: .approve(message: nil),
                expectedRevision: "0000000000000000",
                audit: Samples.audit(.approveKey)
            )
            #expect(outdated == .outdated)
            #expect(try await store.decider(ofKey: key.id) == nil)

            let approved = try await store.decide(
                id: key.id,
                decision: .approve(message: "welcome"),
                expectedRevision: key.revision,
                audit: Samples.audit(.approveKey, by: Samples.admin, keyID: key.id)
            )
            guard case .decided(let decided, let event) = approved else {
                Issue.record("expected a decision, got \(approved)")
                return
            }
            #expect(decided.status == .approved && decided.errorMessage == nil)
            #expect(event.kind == .approved(message: "welcome") && event.decidedBy == Samples.admin)
            #expect(try await store.decider(ofKey: key.id) == "@admin")
            let late = try await store.decide(
                id: key.id,
                decision: .reject(reason: "late"),
                expectedRevision: nil,
                audit: Samples.audit(.rejectKey, keyID: key.id)
            )
            #expect(late == .alreadyDecided(.approved, by: "@admin"))

            let other = try await Samples.insert(store, Samples.submission(alice, apiKey: "contract-api-key-0000004"))
            let rejected = try await store.decide(
                id: other.id,
                decision: .reject(reason: "no withdrawals please"),
                expectedRevision: other.revision,
                audit: Samples.audit(.rejectKey, by: Samples.admin, keyID: other.id)
            )
            guard case .decided(let refused, let rejection) = rejected else {
                Issue.record("expected a decision, got \(rejected)")
                return
            }
            #expect(refused.status == .rejected && !refused.isActive && refused.errorMessage == "no withdrawals please")
            #expect(rejection.kind == .rejected(reason: "no withdrawals please"))
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func pendingRequestsAndApprovedKeys(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        try await ExchangeStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let alice = try await fixture.addUser("alice", telegramID: 7)
            let bob = try await fixture.addUser("bob")
            let first = try await Samples.insert(store, Samples.submission(alice))
            let second = try await Samples.insert(store, Samples.submission(bob))
            let third = try await Samples.insert(store, Samples.submission(alice, apiKey: "contract-api-key-0000005"))
            _ = try await store.decide(
                id: second.id,
                decision: .approve(message: nil),
                expectedRevision: nil,
                audit: Samples.audit(.approveKey)
            )
            let pending = try await store.pendingRequests()
            #expect(pending.map(\.key.id) == [first.id, third.id])
            #expect(pending.first?.owner == alice && pending.first?.report == Samples.report)
            #expect(try await store.approvedKeys().map(\.id) == [second.id])
            // One request read alone is what the list gives for it; a decided or unknown key has none.
            let alone = try #require(try await store.pendingRequest(keyID: third.id))
            #expect(alone.key == pending.last?.key && alone.owner == alice && alone.report == Samples.report)
            #expect(try await store.pendingRequest(keyID: second.id) == nil)
            #expect(try await store.pendingRequest(keyID: third.id + 1000) == nil)
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func apiKeysThePlatformEncryptedAreOpened(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        try await ExchangeStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let alice = try await fixture.addUser("alice")
            try await fixture.execute(
                """
                INSERT INTO user_exchanges (user_id, exchange_name, label, api_key, api_secret, status, is_active)
                VALUES (\(alice.id), 'bybit', 'From Python', '\(fixture.ring.encrypt("seed-encrypted-key-001"))',
                    '\(fixture.ring.encrypt(Samples.secret))', 'approved', NULL)
                """
            )
            let key = try #require(try await store.keys(ofUser: alice.id).first)
            #expect(key.apiKey == "seed-encrypted-key-001" && key.status == .approved && !key.isActive)
            #expect(try await store.credentials(ofKey: key.id)?.apiKey == "seed-encrypted-key-001")
            let duplicate = try await store.insertKey(
                Samples.submission(alice, exchange: .bybit, apiKey: "seed-encrypted-key-001"),
                audit: Samples.audit(.addKey)
            )
            #expect(duplicate == .duplicate(existingID: key.id))
        }
    }
}
