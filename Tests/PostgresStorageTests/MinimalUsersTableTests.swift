import BotConversation
import ExchangeBotCore
import Foundation
import TestSupport
import Testing

/// The platform's `users` table with only `id, username, email, is_active, is_admin` (made by SQLAlchemy), on both
/// engines: every path of the stores works, and no column is ever added to it.
@Suite struct MinimalUsersTableTests {
    static func skipped(_ engine: StoreEngine) -> Bool {
        guard engine.isAvailable else { return true }
        if let reason = SeedPlatform.usersModelSkipReason(postgres: engine == .postgres) {
            print("skipped: \(reason)")
            return true
        }
        return false
    }

    static func columnCount(_ fixture: ExchangeStoreFixture) async throws -> Int64? {
        try await fixture.scalar(
            fixture.engine == .postgres
                ? "SELECT count(*) FROM information_schema.columns WHERE table_name = 'users'"
                : "SELECT count(*) FROM pragma_table_info('users')"
        )
    }

    @Test(arguments: StoreEngine.allCases)
    func everyPathWorksWithTheMinimalTable(engine: StoreEngine) async throws {
        guard !Self.skipped(engine) else { return }
        try await ExchangeStoreFixture.with(engine, platform: .minimal) { fixture in
            let store = fixture.store
            let platformID = try #require(fixture.platformUserID)
            let platform = try #require(try await store.user(id: platformID))
            #expect(platform.username == "platform-user" && platform.email == "p@example.com" && platform.isActive)
            #expect(platform.telegramID == nil && platform.languageCode == nil && platform.createdAt == nil)

            let key = try await Samples.insert(store, Samples.submission(platform))
            #expect(try await store.keys(ofUser: platformID).map(\.id) == [key.id])
            #expect(try await store.pendingRequests().map(\.owner.id) == [platformID])
            let decided = try await store.decide(
                id: key.id,
                decision: .approve(message: nil),
                expectedRevision: nil,
                audit: Samples.audit(.approveKey, by: Samples.admin, keyID: key.id)
            )
            guard case .decided(_, let event) = decided else {
                Issue.record("not decided: \(decided)")
                return
            }
            #expect(event.owner.id == platformID)

            // A Telegram user nobody knows: a row with the columns there are, and the product's own row.
            let made = try await fixture.bot.ensureUser(
                telegramID: 6001,
                username: "tg6001",
                languageCode: "de",
                at: Date()
            )
            #expect(made.username == "tg6001" && made.telegramID == 6001 && made.languageCode == "de" && made.isActive)
            let unknown = try await fixture.bot.userAndConversation(
                telegramID: 6002,
                username: "tg6002",
                languageCode: nil,
                createUser: false,
                at: Date()
            )
            #expect(unknown.user == nil)
            #expect(try await fixture.scalar("SELECT count(*) FROM users") == 2, "createUser: false writes no user")
            try await fixture.bot.commit(BotCommit(language: (telegramID: 6001, code: "en")))
            #expect(try await store.user(id: made.id)?.languageCode == "en")
            let madeKey = try await Samples.insert(store, Samples.submission(made, exchange: .binance))

            // Linking the Telegram account to the platform's user moves the key and retires the made account.
            try await AccountLinkContractTests.issue(store, "p1", for: platform)
            let outcome = try await AccountLinkContractTests.link(store, 6001, code: "p1")
            guard case .linked(let linked, 1, 0, made.id, nil) = outcome else {
                Issue.record("unexpected: \(outcome)")
                return
            }
            #expect(linked.id == platformID && linked.telegramID == 6001 && linked.languageCode == "en")
            #expect(try await store.key(id: madeKey.id)?.userID == platformID)
            #expect(try await store.user(id: made.id)?.isActive == false)
            let now = try await fixture.bot.ensureUser(telegramID: 6001, username: "x", languageCode: nil, at: Date())
            #expect(now.id == platformID)
            #expect(try await store.telegramLink(ofUser: platformID)?.telegramID == 6001)

            try await store.queueMail(.telegramUnlinked, toUser: platformID, dedupeKey: nil, at: Samples.now)
            let mail = try await store.dueMail(limit: 5, at: Samples.now)
            #expect(mail.first?.email == "p@example.com" && mail.first?.languageCode == "en")
            #expect(
                try await store.unlink(.user(platformID), mailNotice: false, audit: Samples.audit(.unlinkTelegram))
                    == .unlinked(userID: platformID, telegramID: 6001)
            )
            #expect(try await store.user(id: platformID)?.telegramID == nil)
            #expect(try await Self.columnCount(fixture) == 5, "no column was added to users")
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func aTableTheBotCannotFillRefusesNewUsersCleanly(engine: StoreEngine) async throws {
        guard !Self.skipped(engine) else { return }
        try await ExchangeStoreFixture.with(engine, platform: .strict) { fixture in
            await #expect(throws: UserCreationRefused.self) {
                _ = try await fixture.bot.ensureUser(telegramID: 6001, username: "tg", languageCode: "de", at: Date())
            }
            #expect(try await fixture.scalar("SELECT count(*) FROM users") == 1)
            let accounts = fixture.engine == .postgres ? "exchange_bot_telegram_accounts" : "bot_telegram_accounts"
            #expect(try await fixture.scalar("SELECT count(*) FROM \(accounts)") == 0)
            // The platform's users still link and choose a language.
            let platformID = try #require(fixture.platformUserID)
            let platform = try #require(try await fixture.store.user(id: platformID))
            try await AccountLinkContractTests.issue(fixture.store, "p1", for: platform)
            guard case .linked = try await AccountLinkContractTests.link(fixture.store, 6001, code: "p1") else {
                Issue.record("the platform user could not link")
                return
            }
            try await fixture.bot.commit(BotCommit(language: (telegramID: 6001, code: "ru")))
            let found = try await fixture.bot.ensureUser(
                telegramID: 6001,
                username: "tg",
                languageCode: "de",
                at: Date()
            )
            #expect(found.id == platformID && found.languageCode == "ru")
            #expect(try await Self.columnCount(fixture) == 6)
        }
    }
}
