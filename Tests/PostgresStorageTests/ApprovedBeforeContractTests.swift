import ExchangeBotCore
import Foundation
import TestSupport
import Testing

/// A key read from the store says whether an admin approved it before (the admin card's resubmission mark), on
/// both engines: a key sent again after a rejection was never approved; one sent again after an approval was.
@Suite struct ApprovedBeforeContractTests {
    /// Replaces the key's credentials (the owner's "Update keys"); the key as stored and its `submitted` event.
    static func resend(
        _ store: any ExchangeStore,
        _ key: ExchangeKey,
        apiKey: String,
        at: Date
    ) async throws -> (ExchangeKey, KeyEvent?) {
        let outcome = try await store.updateKey(
            id: key.id,
            ownerID: key.userID,
            change: KeyChange(credentials: Samples.credentials(apiKey: apiKey), report: Samples.report, at: at),
            audit: Samples.audit(.updateKey, keyID: key.id, at: at)
        )
        guard case .updated(let updated, let event) = outcome else { throw ContractError.unexpected }
        return (updated, event)
    }

    @Test(arguments: StoreEngine.allCases)
    func onlyAnApprovalMarksAKeyAsApprovedBefore(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        try await ExchangeStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let alice = try await fixture.addUser("alice", telegramID: 42)
            let key = try await Samples.insert(store, Samples.submission(alice))
            #expect(key.approvedBefore == nil)

            _ = try await store.decide(
                id: key.id,
                decision: .reject(reason: "no IP whitelist"),
                expectedRevision: nil,
                audit: Samples.audit(.rejectKey, by: Samples.admin, keyID: key.id)
            )
            let later = Samples.now.addingTimeInterval(60)
            let (resent, resentEvent) = try await Self.resend(
                store,
                key,
                apiKey: "contract-api-key-0000002",
                at: later
            )
            #expect(resent.status == .pending && resent.approvedBefore == nil, "rejected, never approved")
            #expect(resentEvent?.key.approvedBefore == nil)
            #expect(try await store.pendingRequests().first { $0.key.id == key.id }?.key.approvedBefore == nil)

            _ = try await store.decide(
                id: key.id,
                decision: .approve(message: nil),
                expectedRevision: nil,
                audit: Samples.audit(.approveKey, by: Samples.admin, keyID: key.id, at: later)
            )
            let (again, againEvent) = try await Self.resend(
                store,
                resent,
                apiKey: "contract-api-key-0000003",
                at: later.addingTimeInterval(60)
            )
            #expect(again.status == .pending && again.approvedBefore == true)
            #expect(againEvent?.key.approvedBefore == true, "the card posted for the event carries the mark")
            #expect(try await store.pendingRequests().first { $0.key.id == key.id }?.key.approvedBefore == true)

            // Another key of the same owner is not marked by this one's approval.
            let other = try await Samples.insert(store, Samples.submission(alice, apiKey: "contract-api-key-0000009"))
            #expect(try await store.pendingRequests().first { $0.key.id == other.id }?.key.approvedBefore == nil)
        }
    }
}
