import BotConversation
import ExchangeBotCore
import Foundation
import TestSupport
import Testing

/// The ``MailOutbox`` contract on SQLite and PostgreSQL: dedupe, what is due when, retries, giving up, and pruning
/// with the outbox's retention.
@Suite struct MailOutboxContractTests {
    static let key = MailKey(id: 5, exchange: "okx", label: "Main", maskedAPIKey: "cont…0001")

    @Test(arguments: StoreEngine.allCases)
    func queuedMailIsDueRetriedSentOrGivenUpAndPruned(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        try await ExchangeStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let alice = try await fixture.addUser("alice", telegramID: 4242)
            let now = Samples.now
            try await fixture.bot.commit(BotCommit(language: (telegramID: 4242, code: "ru")))
            let approved = MailNotice.keyApproved(key: Self.key, message: "welcome")
            try await store.queueMail(approved, toUser: alice.id, dedupeKey: "event-1", at: now)
            try await store.queueMail(approved, toUser: alice.id, dedupeKey: "event-1", at: now)
            try await store.queueMail(
                .telegramLinked(telegramUsername: "olga"),
                toUser: alice.id,
                dedupeKey: nil,
                at: now
            )
            try await store.queueMail(.telegramUnlinked, toUser: alice.id + 1000, dedupeKey: nil, at: now)

            let due = try await store.dueMail(limit: 10, at: now)
            #expect(due.map(\.notice) == [approved, .telegramLinked(telegramUsername: "olga"), .telegramUnlinked])
            let first = try #require(due.first)
            #expect(first.email == "alice@example.com" && first.username == "alice" && first.languageCode == "ru")
            #expect(first.userID == alice.id && first.attempts == 0)
            #expect(
                due.allSatisfy { $0.queuedAt == now },
                "when queued, as stored: the mail's Message-ID is made of it"
            )
            #expect(due.last?.email == nil, "a user who is gone has no address")
            #expect(try await store.dueMail(limit: 1, at: now).map(\.id) == [first.id])
            #expect(try await store.dueMail(limit: 10, at: now.addingTimeInterval(-1)).isEmpty)

            #expect(try await store.nextMailDue() == now, "the earliest still to send, due already")
            try await store.retryMail(id: first.id, at: now.addingTimeInterval(60), error: "421 try later")
            #expect(try await store.dueMail(limit: 10, at: now).map(\.id) == [due[1].id, due[2].id])
            let retried = try await store.dueMail(limit: 10, at: now.addingTimeInterval(60))
            let again = try #require(retried.first { $0.id == first.id })
            #expect(again.attempts == 1 && again.queuedAt == now, "a retry reads the same queue time")

            try await store.giveUpMail(id: due[1].id, at: now, error: "550 no such user")
            try await store.giveUpMail(id: due[2].id, at: now, error: "no address")
            #expect(try await store.nextMailDue() == now.addingTimeInterval(60), "the retry, the others given up")
            try await store.markMailSent(id: first.id, at: now.addingTimeInterval(61))
            #expect(try await store.nextMailDue() == nil, "nothing left to send")
            #expect(try await store.dueMail(limit: 10, at: now.addingTimeInterval(3600)).isEmpty)
            let table = fixture.engine == .postgres ? "exchange_bot_mail_outbox" : "mail_outbox"
            #expect(try await fixture.scalar("SELECT attempts FROM \(table) WHERE id = \(first.id)") == 2)

            _ = try await store.pruneOutbox(before: now.addingTimeInterval(30))
            #expect(try await fixture.scalar("SELECT count(*) FROM \(table)") == 1, "sent after the cutoff stays")
            _ = try await store.pruneOutbox(before: now.addingTimeInterval(86_400))
            #expect(try await fixture.scalar("SELECT count(*) FROM \(table)") == 0)
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func linkingQueuesTheNoticeInItsTransaction(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        try await ExchangeStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let alice = try await fixture.addUser("alice")
            try await AccountLinkContractTests.issue(store, "a1", for: alice)
            let outcome = try await store.link(
                telegramID: 7001,
                telegramUsername: "olga",
                codeHash: AccountLinkContractTests.hash("a1"),
                mailNotice: true,
                audit: Samples.audit(.linkTelegram)
            )
            guard case .linked = outcome else {
                Issue.record("refused: \(outcome)")
                return
            }
            let due = try await store.dueMail(limit: 10, at: Samples.now)
            #expect(due.map(\.notice) == [.telegramLinked(telegramUsername: "olga")] && due.first?.userID == alice.id)
        }
    }
}
