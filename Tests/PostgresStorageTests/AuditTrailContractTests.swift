import ExchangeBotCore
import Foundation
import TestSupport
import Testing

/// The audit view's read (``AuditLogReader/auditTrail(_:)``) on both engines: newest first, each filter alone and
/// together, the owner beside the actor, the channel read from the actor's form, and paging by row id.
@Suite struct AuditTrailContractTests {
    static let aliceTelegram: Int64 = 42
    static let telegramAdmin = Caller(telegramID: 9000, displayName: "@admin")
    static let commandLine = Caller(displayName: AuditChannel.commandLineActor)

    static func at(_ seconds: TimeInterval) -> Date {
        Samples.now.addingTimeInterval(seconds)
    }

    /// Seven rows from every channel: two keys added over REST, alice's activated in the bot and approved by an
    /// admin in the bot, a link code from the command line, a health check of bob's key, then bob deleting it.
    static func history(_ fixture: ExchangeStoreFixture) async throws -> (
        alice: User, bob: User, keyA: Int64, keyB: Int64
    ) {
        let store = fixture.store
        let alice = try await fixture.addUser("alice", telegramID: aliceTelegram)
        let bob = try await fixture.addUser("bob")
        let keyA = try await insert(store, Samples.submission(alice), by: alice)
        let keyB = try await insert(store, Samples.submission(bob, apiKey: "contract-api-key-0000002"), by: bob)
        let aliceInBot = Caller(userID: alice.id, telegramID: aliceTelegram, displayName: "@alice")
        try await store.recordAudit(
            AuditEntry(
                at: at(60),
                caller: aliceInBot,
                action: .activateKey,
                keyID: keyA,
                outcome: .refused,
                detail: "not_approved"
            )
        )
        try await store.recordAudit(
            AuditEntry(at: at(120), caller: telegramAdmin, action: .approveKey, keyID: keyA, outcome: .succeeded)
        )
        try await store.recordAudit(
            AuditEntry(
                at: at(180),
                caller: commandLine,
                action: .issueLinkCode,
                outcome: .succeeded,
                detail: "user \(bob.id)"
            )
        )
        try await store.recordAudit(
            AuditEntry(at: at(240), caller: .system, action: .checkKeyHealth, keyID: keyB, outcome: .succeeded)
        )
        let deleted = try await store.deleteKey(
            id: keyB,
            ownerID: bob.id,
            audit: AuditEntry(
                at: at(300),
                caller: Caller(userID: bob.id, displayName: "bob"),
                action: .deleteKey,
                keyID: keyB,
                outcome: .succeeded
            )
        )
        #expect(deleted != .notFound)
        return (alice, bob, keyA, keyB)
    }

    static func insert(_ store: any ExchangeStore, _ submission: StoredKeySubmission, by user: User) async throws
        -> Int64
    {
        let outcome = try await store.insertKey(submission, audit: Samples.audit(.addKey).owned(by: user.id))
        guard case .inserted(let key, _) = outcome else { throw ContractError.unexpected }
        return key.id
    }

    @Test(arguments: StoreEngine.allCases)
    func newestFirstWithOwnersActorsAndChannels(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        try await ExchangeStoreFixture.with(engine) { fixture in
            let (alice, bob, keyA, keyB) = try await Self.history(fixture)
            let page = try await fixture.store.auditTrail(AuditQuery())
            #expect(page.nextCursor == nil)
            let records = page.records
            #expect(
                records.map(\.action) == [
                    "key.delete", "key.health_check", "telegram.link_code", "key.approve", "key.activate", "key.add",
                    "key.add",
                ]
            )
            #expect(records.map(\.id) == records.map(\.id).sorted(by: >))
            #expect(records.map(\.channel) == [.rest, .system, .cli, .telegram, .telegram, .rest, .rest])
            #expect(records.map(\.keyID) == [keyB, keyB, nil, keyA, keyA, keyB, keyA])
            // The owner while the key exists; bob's key is deleted, and the log does not keep whose it was.
            #expect(records.map(\.ownerID) == [nil, nil, nil, alice.id, alice.id, nil, alice.id])
            #expect(records.map(\.actorUserID) == [bob.id, nil, nil, nil, alice.id, bob.id, alice.id])

            let approval = records[3]
            #expect(approval.actorName == "@admin" && approval.actorTelegramID == 9000 && approval.outcome == "ok")
            #expect(approval.at == Self.at(120))
            #expect(records[4].outcome == "refused" && records[4].detail == "not_approved")
            #expect(records[2].actorName == "command line" && records[2].detail == "user \(bob.id)")
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func filtersByKeyUserAndTimeAloneAndTogether(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        try await ExchangeStoreFixture.with(engine) { fixture in
            let (alice, bob, keyA, keyB) = try await Self.history(fixture)
            let store = fixture.store
            func actions(_ query: AuditQuery) async throws -> [String] {
                try await store.auditTrail(query).records.map(\.action)
            }
            #expect(try await actions(AuditQuery(keyID: keyA)) == ["key.approve", "key.activate", "key.add"])
            // A deleted key's rows still read.
            #expect(try await actions(AuditQuery(keyID: keyB)) == ["key.delete", "key.health_check", "key.add"])
            #expect(try await actions(AuditQuery(keyID: 999_999)).isEmpty)
            // A user's rows: those they acted in, and those about a key they own (an admin's approval of it).
            #expect(try await actions(AuditQuery(userID: alice.id)) == ["key.approve", "key.activate", "key.add"])
            #expect(try await actions(AuditQuery(userID: bob.id)) == ["key.delete", "key.add"])
            #expect(
                try await actions(AuditQuery(since: Self.at(180)))
                    == ["key.delete", "key.health_check", "telegram.link_code"]
            )
            #expect(try await actions(AuditQuery(since: Self.at(181))) == ["key.delete", "key.health_check"])
            #expect(try await actions(AuditQuery(since: Self.at(10_000))).isEmpty)
            #expect(try await actions(AuditQuery(keyID: keyA, since: Self.at(100))) == ["key.approve"])
            #expect(try await actions(AuditQuery(keyID: keyB, userID: bob.id)) == ["key.delete", "key.add"])
            #expect(try await actions(AuditQuery(keyID: keyA, userID: bob.id)).isEmpty)
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func pagesFollowTheCursorWithNoRowTwiceAndNoneLeftOut(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        try await ExchangeStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let alice = try await fixture.addUser("alice")
            let key = try await Self.insert(store, Samples.submission(alice), by: alice)
            for index in 1...7 {
                try await store.recordAudit(
                    AuditEntry(
                        at: Self.at(Double(index)),
                        caller: Caller(userID: alice.id),
                        action: index.isMultiple(of: 2) ? .activateKey : .deactivateKey,
                        keyID: key,
                        outcome: .succeeded,
                        detail: "step \(index)"
                    )
                )
            }
            let everything = try await store.auditTrail(AuditQuery(keyID: key)).records.map(\.id)
            #expect(everything.count == 8)

            var pages: [[Int64]] = []
            var cursor: Int64?
            repeat {
                let page = try await store.auditTrail(AuditQuery(keyID: key, limit: 3, before: cursor))
                pages.append(page.records.map(\.id))
                cursor = page.nextCursor
                #expect(cursor == nil || cursor == page.records.last?.id)
            } while cursor != nil && pages.count < 10
            #expect(pages.map(\.count) == [3, 3, 2])
            #expect(pages.flatMap { $0 } == everything)

            // A page that ends exactly at the last row says so: no empty page follows.
            let half = try await store.auditTrail(AuditQuery(keyID: key, limit: 4))
            let rest = try await store.auditTrail(AuditQuery(keyID: key, limit: 4, before: half.nextCursor))
            #expect(half.nextCursor != nil && rest.records.count == 4 && rest.nextCursor == nil)

            // Any row id pages from there (the cursor carries no authority); one below every row reads nothing.
            let fromMiddle = try await store.auditTrail(AuditQuery(keyID: key, limit: 2, before: everything[2]))
            #expect(fromMiddle.records.map(\.id) == Array(everything[3...4]))
            #expect(try await store.auditTrail(AuditQuery(before: 1)).records.isEmpty)
            #expect(try await store.auditTrail(AuditQuery(before: Int64.max)).records.count == 8)
        }
    }
}
