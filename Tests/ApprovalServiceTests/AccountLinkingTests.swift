import ExchangeBotCore
import ExchangeBotStorage
import Foundation
import TestSupport
import Testing

/// ``AccountLinking`` over a fake link store: issuing codes, using them once, and the audit trail.
@Suite struct AccountLinkingTests {
    let harness: ServiceHarness
    let links: FakeAccountLinks
    let linking: AccountLinking

    init() throws {
        let harness = try ServiceHarness()
        let store = harness.store
        self.harness = harness
        links = FakeAccountLinks(users: { try await store.user(id: $0) })
        linking = AccountLinking(
            links: links,
            users: store,
            codes: FakeLinkCodes(),
            clock: harness.clock,
            codeLifetime: 600,
            mailQueued: {}
        )
    }

    let rest = Caller(userID: 1, displayName: "user 1")
    let telegram = Caller(telegramID: 555, displayName: "@alice_tg")

    @Test func aCodeIsIssuedPreviewedUsedOnceAndAudited() async throws {
        let alice = try await harness.user()
        let issued = try await linking.issue(for: alice.id, by: rest)
        #expect(issued.expiresAt == harness.clock.now().addingTimeInterval(600))
        let hash = try #require(linking.codeHash(issued.code))
        #expect(try await linking.user(forCode: hash)?.id == alice.id)
        let outcome = try await linking.link(
            telegramID: 555,
            telegramUsername: "alice_tg",
            codeHash: hash,
            by: telegram
        )
        guard case .linked(let user, _, _, _, _) = outcome else {
            Issue.record("not linked: \(outcome)")
            return
        }
        #expect(user.id == alice.id)
        #expect(try await linking.user(forCode: hash) == nil)
        #expect(
            try await linking.link(telegramID: 556, telegramUsername: nil, codeHash: hash, by: telegram)
                == .refused(.invalidCode)
        )
        #expect(try await linking.telegramLink(ofUser: alice.id)?.telegramID == 555)
        let given = await links.audits
        #expect(given.map(\.action) == [.issueLinkCode, .linkTelegram])
        #expect(given.map(\.caller) == [rest, telegram])
        #expect(given.allSatisfy { $0.outcome == .succeeded })
        #expect(await links.mailNotices == 1)
        // The refused second use is audited by the service (the store changed nothing).
        let refused = try await harness.store.auditLog(limit: 5).first
        #expect(refused?.action == .linkTelegram && refused?.outcome == .refused && refused?.detail == "invalid_code")
    }

    @Test func anExpiredCodeIsUseless() async throws {
        let alice = try await harness.user()
        let issued = try await linking.issue(for: alice.id, by: rest)
        let hash = try #require(linking.codeHash(issued.code))
        harness.clock.advance(by: 601)
        #expect(try await linking.user(forCode: hash) == nil)
        #expect(
            try await linking.link(telegramID: 555, telegramUsername: nil, codeHash: hash, by: telegram)
                == .refused(.invalidCode)
        )
    }

    @Test func unknownAndDeactivatedUsersGetNoCode() async throws {
        await #expect(throws: ApprovalError.userNotFound) { try await linking.issue(for: 4242, by: rest) }
        let bob = try await harness.user("bob")
        try await harness.setUserActive(bob.id, false)
        await #expect(throws: ApprovalError.userInactive) { try await linking.issue(for: bob.id, by: rest) }
        #expect(await links.storedCodeHashes().isEmpty)
        let audited = try await harness.store.auditLog(limit: 5)
        #expect(audited.map(\.detail) == ["user_inactive", "user_not_found"])
        #expect(audited.allSatisfy { $0.action == .issueLinkCode && $0.outcome == .refused })
    }

    @Test func malformedCodesAreRefusedBeforeAnyLookup() {
        for payload in ["", "a b", String(repeating: "x", count: 65), "abc=", "код"] {
            #expect(linking.codeHash(payload) == nil, "\(payload)")
        }
    }

    @Test func unlinkingIsAuditedAndAPlatformLinkStays() async throws {
        let alice = try await harness.user()
        let carol = try await harness.user("carol")
        await links.setPlatformLink(userID: carol.id, telegramID: 777)
        #expect(try await linking.unlink(.user(alice.id), by: rest) == .notLinked)
        #expect(try await linking.unlink(.user(carol.id), by: rest) == .platformLink)
        let issued = try await linking.issue(for: alice.id, by: rest)
        _ = try await linking.link(
            telegramID: 555,
            telegramUsername: nil,
            codeHash: try #require(linking.codeHash(issued.code)),
            by: telegram
        )
        #expect(try await linking.unlink(.telegram(555), by: telegram) == .unlinked(userID: alice.id, telegramID: 555))
        #expect(await links.audits.last?.action == .unlinkTelegram)
        let refusals = try await harness.store.auditLog(limit: 5).filter { $0.action == .unlinkTelegram }
        #expect(refusals.map(\.detail) == ["platform_link", "not_linked"])
    }

    @Test func theDeepLinkIsTelegramsStartLink() {
        #expect(AccountLinking.deepLink(botUsername: "keys_bot", code: "abc") == "https://t.me/keys_bot?start=abc")
    }
}
