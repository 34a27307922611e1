import BotConversation
import ExchangeBotCore
import Fernet
import Foundation
import TestSupport
import Testing

/// The ``AccountLinkStore`` contract on SQLite and PostgreSQL: one-time codes, links made by the bot beside the
/// platform's `users.telegram_id`, and the keys of an account the bot made moving to the linked user.
@Suite struct AccountLinkContractTests {
    static let later = Samples.now.addingTimeInterval(600)

    static func hash(_ text: String) -> Data { Data(("hash-of-" + text).utf8) }

    static func issue(_ store: any AccountLinkStore, _ code: String, for user: User) async throws {
        try await store.storeLinkCode(
            hash: hash(code),
            userID: user.id,
            expiresAt: later,
            audit: Samples.audit(.issueLinkCode)
        )
    }

    static func link(_ store: any AccountLinkStore, _ telegramID: Int64, code: String, at: Date = Samples.now)
        async throws -> LinkOutcome
    {
        try await store.link(
            telegramID: telegramID,
            telegramUsername: "tg\(telegramID)",
            codeHash: hash(code),
            mailNotice: false,
            audit: Samples.audit(.linkTelegram, at: at)
        )
    }

    @Test(arguments: StoreEngine.allCases)
    func aCodeIsSingleUseBoundToItsUserAndExpires(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        try await ExchangeStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let alice = try await fixture.addUser("alice")
            try await Self.issue(store, "a1", for: alice)
            #expect(
                try await fixture.scalar(
                    "SELECT count(*) FROM \(fixture.table("audit_log")) WHERE action = 'telegram.link_code'"
                ) == 1
            )
            #expect(try await store.linkCodeUser(hash: Self.hash("a1"), at: Samples.now)?.id == alice.id)
            #expect(try await store.linkCodeUser(hash: Self.hash("forged"), at: Samples.now) == nil)
            #expect(try await store.linkCodeUser(hash: Self.hash("a1"), at: Self.later) == nil, "expired")

            #expect(try await Self.link(store, 7001, code: "forged") == .refused(.invalidCode))
            #expect(try await Self.link(store, 7001, code: "a1", at: Self.later) == .refused(.invalidCode))
            let outcome = try await Self.link(store, 7001, code: "a1")
            guard case .linked(let user, 0, 0, nil, nil) = outcome else {
                Issue.record("expected a plain link, got \(outcome)")
                return
            }
            #expect(user.id == alice.id && user.telegramID == 7001)
            #expect(try await store.user(id: alice.id)?.telegramID == 7001)
            #expect(try await Self.link(store, 7002, code: "a1") == .refused(.invalidCode), "used")
            // The same press handled again after a crash: the link that stands, with nothing moved or audited again.
            let replayed = try await Self.link(store, 7001, code: "a1")
            #expect(
                replayed
                    == .linked(user: user, movedKeys: 0, droppedKeys: 0, retiredUserID: nil, replacedTelegramID: nil)
            )
            #expect(
                try await fixture.scalar(
                    "SELECT count(*) FROM \(fixture.table("audit_log")) WHERE action = 'telegram.link'"
                ) == 1
            )
            #expect(try await store.linkCodeUser(hash: Self.hash("a1"), at: Samples.now) == nil)
            #expect(
                try await store.telegramLink(ofUser: alice.id)
                    == TelegramLink(telegramID: 7001, telegramUsername: "tg7001", linkedAt: Samples.now)
            )
            let found = try await fixture.bot.userAndConversation(
                telegramID: 7001,
                username: "other",
                languageCode: nil,
                createUser: false,
                at: Samples.now
            )
            #expect(found.user?.id == alice.id && found.user?.username == "alice")

            // The same Telegram account again with a fresh code: nothing to undo, nothing refused.
            try await Self.issue(store, "a2", for: alice)
            guard case .linked(_, 0, 0, nil, nil) = try await Self.link(store, 7001, code: "a2") else {
                Issue.record("linking again was refused")
                return
            }
            await #expect(throws: ApprovalError.userNotFound) {
                try await store.storeLinkCode(
                    hash: Self.hash("nobody"),
                    userID: alice.id + 1000,
                    expiresAt: Self.later,
                    audit: Samples.audit(.issueLinkCode)
                )
            }
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func keysOfTheAccountTheBotMadeMoveAndDuplicatesDrop(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        try await ExchangeStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let alice = try await fixture.addUser("alice")
            let made = try await fixture.bot.ensureUser(
                telegramID: 8001,
                username: "tg",
                languageCode: "ru",
                at: Date()
            )
            #expect(made.telegramID == 8001 && made.languageCode == "ru" && made.email == nil)
            let kept = try await Samples.insert(store, Samples.submission(alice, apiKey: "same-key-000001"))
            // The platform's side stores API keys encrypted: the duplicate is found after opening it.
            try await fixture.execute(
                "UPDATE user_exchanges SET api_key = '\(fixture.ring.encrypt("same-key-000001"))' WHERE id = \(kept.id)"
            )
            let duplicate = try await Samples.insert(store, Samples.submission(made, apiKey: "same-key-000001"))
            let moving = try await Samples.insert(store, Samples.submission(made, exchange: .binance))
            try await Self.issue(store, "a1", for: alice)

            let outcome = try await Self.link(store, 8001, code: "a1")
            #expect(
                outcome
                    == .linked(
                        user: try #require(try await store.user(id: alice.id)),
                        movedKeys: 1,
                        droppedKeys: 1,
                        retiredUserID: made.id,
                        replacedTelegramID: nil
                    )
            )
            #expect(try await store.keys(ofUser: alice.id).map(\.id) == [kept.id, moving.id])
            #expect(try await store.key(id: duplicate.id) == nil)
            #expect(try await store.keys(ofUser: made.id).isEmpty)
            let retired = try #require(try await store.user(id: made.id))
            #expect(!retired.isActive && retired.telegramID == nil)
            let now = try await fixture.bot.ensureUser(telegramID: 8001, username: "tg", languageCode: nil, at: Date())
            #expect(now.id == alice.id && now.languageCode == "ru", "the language chosen in Telegram stays")
            let detail = try await fixture.scalar(
                """
                SELECT count(*) FROM \(fixture.table("audit_log"))
                WHERE action = 'telegram.link' AND detail LIKE 'moved=1 dropped=1 retired_user=\(made.id)%'
                """
            )
            #expect(detail == 1)
            #expect(
                try await fixture.scalar(
                    "SELECT count(*) FROM \(fixture.table("audit_log")) WHERE exchange_id = \(duplicate.id) AND action = 'telegram.link'"
                ) == 1
            )
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func thePlatformsLinkWins(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        try await ExchangeStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let platform = try await fixture.addUser("platform", telegramID: 9001)
            let alice = try await fixture.addUser("alice")
            try await Self.issue(store, "a1", for: alice)
            #expect(try await Self.link(store, 9001, code: "a1") == .refused(.platformLinkedElsewhere))
            #expect(
                try await store.telegramLink(ofUser: platform.id)
                    == TelegramLink(telegramID: 9001, isPlatformLink: true)
            )
            let audit = Samples.audit(.unlinkTelegram)
            #expect(try await store.unlink(.user(platform.id), mailNotice: false, audit: audit) == .platformLink)
            #expect(try await store.unlink(.telegram(9001), mailNotice: false, audit: audit) == .platformLink)

            // A bot-made link is overridden as soon as the platform names that Telegram account for someone else.
            guard case .linked = try await Self.link(store, 9002, code: "a1") else {
                Issue.record("the code was used by the refusal")
                return
            }
            let other = try await fixture.addUser("other")
            try await fixture.execute("UPDATE users SET telegram_id = 9002 WHERE id = \(other.id)")
            let found = try await fixture.bot.ensureUser(telegramID: 9002, username: nil, languageCode: nil, at: Date())
            #expect(found.id == other.id)
            #expect(try await store.user(id: alice.id)?.telegramID == nil)
            #expect(try await store.telegramLink(ofUser: alice.id) == nil)
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func anAccountLinkedToAnotherUserIsRefusedAndUnlinkingNotifies(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        try await ExchangeStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let alice = try await fixture.addUser("alice")
            let bob = try await fixture.addUser("bob")
            try await Self.issue(store, "a1", for: alice)
            try await Self.issue(store, "b1", for: bob)
            guard case .linked = try await Self.link(store, 7001, code: "a1") else {
                Issue.record("alice's link was refused")
                return
            }
            #expect(try await Self.link(store, 7001, code: "b1") == .refused(.linkedToAnotherUser))
            #expect(try await store.linkCodeUser(hash: Self.hash("b1"), at: Samples.now)?.id == bob.id, "unused")

            try await Self.issue(store, "a2", for: alice)
            guard case .linked(_, _, _, _, let replaced) = try await Self.link(store, 7002, code: "a2") else {
                Issue.record("alice's second account was refused")
                return
            }
            #expect(replaced == 7001)
            let old = try await fixture.bot.userAndConversation(
                telegramID: 7001,
                username: nil,
                languageCode: nil,
                createUser: false,
                at: Date()
            )
            #expect(old.user == nil)

            let audit = Samples.audit(.unlinkTelegram)
            #expect(
                try await store.unlink(.telegram(7002), mailNotice: true, audit: audit)
                    == .unlinked(userID: alice.id, telegramID: 7002)
            )
            #expect(try await store.unlink(.telegram(7002), mailNotice: true, audit: audit) == .notLinked)
            #expect(try await store.unlink(.user(bob.id), mailNotice: true, audit: audit) == .notLinked)
            #expect(try await store.telegramLink(ofUser: alice.id) == nil)
            let mail = try await store.dueMail(limit: 10, at: Samples.now)
            #expect(mail.map(\.notice) == [.telegramUnlinked] && mail.first?.email == "alice@example.com")

            try await fixture.execute("UPDATE users SET is_active = FALSE WHERE id = \(bob.id)")
            #expect(try await Self.link(store, 7003, code: "b1") == .refused(.userInactive))
            #expect(try await store.linkCodeUser(hash: Self.hash("b1"), at: Samples.now) == nil)
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func oneCodeRacedByTwoTelegramAccountsLinksOne(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        try await ExchangeStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let alice = try await fixture.addUser("alice")
            for round in 0..<5 {
                let code = "race\(round)"
                try await Self.issue(store, code, for: alice)
                let outcomes = try await withThrowingTaskGroup(of: LinkOutcome.self) { group in
                    for telegramID in [Int64(7100 + round * 2), Int64(7101 + round * 2)] {
                        group.addTask { try await Self.link(store, telegramID, code: code) }
                    }
                    return try await group.reduce(into: [LinkOutcome]()) { $0.append($1) }
                }
                let linked = outcomes.filter { if case .linked = $0 { true } else { false } }
                #expect(linked.count == 1 && outcomes.contains(.refused(.invalidCode)), "\(outcomes)")
            }
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func usedAndExpiredCodesAreTidiedAfterADay(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        try await ExchangeStoreFixture.with(engine) { fixture in
            let alice = try await fixture.addUser("alice")
            try await Self.issue(fixture.store, "a1", for: alice)
            try await fixture.bot.tidy(now: Self.later)
            #expect(try await fixture.scalar("SELECT count(*) FROM \(Self.codes(fixture))") == 1)
            try await fixture.bot.tidy(now: Self.later.addingTimeInterval(86_401))
            #expect(try await fixture.scalar("SELECT count(*) FROM \(Self.codes(fixture))") == 0)
        }
    }

    /// The platform deleting a linked user is not blocked by the product's table: the link goes, the row stays.
    @Test(arguments: StoreEngine.allCases)
    func thePlatformMayDeleteALinkedUser(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        try await ExchangeStoreFixture.with(engine) { fixture in
            let alice = try await fixture.addUser("alice")
            try await Self.issue(fixture.store, "a1", for: alice)
            guard case .linked = try await Self.link(fixture.store, 7001, code: "a1") else {
                Issue.record("refused")
                return
            }
            try await fixture.execute("DELETE FROM users WHERE id = \(alice.id)")
            let found = try await fixture.bot.userAndConversation(
                telegramID: 7001,
                username: nil,
                languageCode: nil,
                createUser: false,
                at: Date()
            )
            #expect(found.user == nil)
            let accounts = fixture.engine == .postgres ? "exchange_bot_telegram_accounts" : "bot_telegram_accounts"
            #expect(try await fixture.scalar("SELECT count(*) FROM \(accounts) WHERE user_id IS NULL") == 1)
        }
    }

    static func codes(_ fixture: ExchangeStoreFixture) -> String {
        fixture.engine == .postgres ? "exchange_bot_link_codes" : "bot_link_codes"
    }

    @Test(arguments: StoreEngine.allCases)
    func aNewCodeVoidsTheUsersEarlierOnes(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        try await ExchangeStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let alice = try await fixture.addUser("alice")
            let bob = try await fixture.addUser("bob")
            try await Self.issue(store, "first", for: alice)
            try await Self.issue(store, "bobs", for: bob)
            try await Self.issue(store, "second", for: alice)
            #expect(try await store.linkCodeUser(hash: Self.hash("first"), at: Samples.now) == nil)
            #expect(try await Self.link(store, 7101, code: "first") == .refused(.invalidCode))
            #expect(try await store.linkCodeUser(hash: Self.hash("bobs"), at: Samples.now)?.id == bob.id)
            // A code seen by others is voided without linking anything; voiding it again finds nothing.
            #expect(try await store.voidLinkCode(hash: Self.hash("bobs"), at: Samples.now))
            #expect(try await !store.voidLinkCode(hash: Self.hash("bobs"), at: Samples.now))
            #expect(try await Self.link(store, 7102, code: "bobs") == .refused(.invalidCode))
            #expect(try await store.telegramLink(ofUser: bob.id) == nil)
            guard case .linked(let user, _, _, _, _) = try await Self.link(store, 7101, code: "second") else {
                Issue.record("the newest code links")
                return
            }
            #expect(user.id == alice.id)
        }
    }
}
