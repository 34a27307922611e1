import BotConversation
import ExchangeBotCore
import Fernet
import Foundation
import TestSupport
import Testing

/// The ``BotStore`` contract: the same assertions, through the protocol, against `SQLiteBotStore` and
/// `PostgresBotStore` (a fresh database each). The outgoing queue's half is in `BotStoreOutgoingContractTests`.
@Suite struct BotStoreContractTests {
    static let secret = "s3cr3t-\(UUID().uuidString)"

    static func draftState(updatedAt: Date = Date(timeIntervalSince1970: 1_800_000_000)) -> ConversationState {
        ConversationState(
            step: .awaitingPassphrase(
                Draft(exchange: .okx, label: "L", apiKey: "key-1", apiSecret: SecretString(secret))
            ),
            updatedAt: updatedAt
        )
    }

    static func awaitingState() -> ConversationState {
        let submission = KeySubmission(
            exchange: "okx",
            label: "L",
            apiKey: "key-2",
            apiSecret: SecretString(secret),
            passphrase: SecretString("pass-\(secret)")
        )
        return ConversationState(
            step: .checking(exchange: .okx, keyID: nil),
            updatedAt: Date(timeIntervalSince1970: 1_800_000_000),
            pendingSubmission: PendingSubmission(
                submission: submission,
                updating: nil,
                submittedAt: Date(timeIntervalSince1970: 1_800_000_000)
            )
        )
    }

    static func update(_ id: Int64, _ text: String = "hi") -> ReceivedUpdate {
        ReceivedUpdate(id: id, payload: Data("{\"update_id\":\(id),\"message\":{\"text\":\"\(text)\"}}".utf8))
    }

    @Test(arguments: StoreEngine.allCases)
    func receivedUpdatesAndTheOffsetAreStoredOnceEach(engine: StoreEngine) async throws {
        try await BotStoreFixture.with(engine) { fixture in
            let store = fixture.store
            #expect(try await store.nextOffset() == nil)
            try await store.receive([Self.update(1), Self.update(2)], nextOffset: 3)
            // Update 2 again, with another text: the stored one stays; duplicates in one batch count once.
            try await store.receive([Self.update(2, "again"), Self.update(3), Self.update(3)], nextOffset: 4)
            #expect(try await store.nextOffset() == 4)
            let (updates, dropped) = try await store.unhandledUpdates()
            #expect(updates == [Self.update(1), Self.update(2), Self.update(3)])
            #expect(dropped.isEmpty)
            // An empty batch still moves the offset.
            try await store.receive([], nextOffset: 9)
            #expect(try await store.nextOffset() == 9)
            #expect(try await fixture.count(.updates) == 3)
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func aCommitAppliesEverythingTogether(engine: StoreEngine) async throws {
        try await BotStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let telegramID: Int64 = 8_123_456_789
            _ = try await store.ensureUser(telegramID: telegramID, username: "olga", languageCode: "ru", at: Date())
            try await store.setUnreachable(telegramID: telegramID, true, at: Date())
            try await store.receive([Self.update(7, Self.secret), Self.update(8)], nextOffset: 9)
            let message = OutgoingMessage(to: .chat(telegramID), text: "Checking…")
            try await store.commit(
                BotCommit(
                    handledUpdateID: 7,
                    conversations: [telegramID: Self.draftState()],
                    outgoing: [QueuedAction(.send(message), dedupeKey: "once")],
                    language: (telegramID, "en"),
                    reachable: telegramID
                )
            )
            #expect(try await store.unhandledUpdates().updates.map(\.id) == [8])
            #expect(try await store.conversation(ofUser: telegramID) == Self.draftState())
            #expect(try await store.isUnreachable(telegramID: telegramID) == false)
            let user = try await store.ensureUser(telegramID: telegramID, username: nil, languageCode: "ru", at: Date())
            #expect(user.languageCode == "en")
            let queued = try await store.nextOutgoing(limit: 10, excludingLanes: [])
            #expect(queued.map(\.action) == [.send(message)])
            // The same dedupe key again queues nothing, even once the first is sent (a redelivered event).
            try await store.commit(BotCommit(outgoing: [QueuedAction(.send(message), dedupeKey: "once")]))
            #expect(try await store.nextOutgoing(limit: 10, excludingLanes: []).map(\.id) == queued.map(\.id))
            try await store.finishOutgoing(try #require(queued.first), result: .sent(nil))
            try await store.commit(BotCommit(outgoing: [QueuedAction(.send(message), dedupeKey: "once")]))
            #expect(try await store.nextOutgoing(limit: 10, excludingLanes: []).isEmpty)
            #expect(try await fixture.count(.outgoing) == 1)
        }
    }

    /// Two instances that both handled update 7 while the lease changed hands: the second commit finds the update
    /// gone and changes nothing, so its reply is not queued a second time. (SQLite has one instance per file.)
    @Test func aSecondCommitOfOneUpdateChangesNothingOnPostgres() async throws {
        guard StoreEngine.postgres.isAvailable else { return }
        try await BotStoreFixture.with(.postgres) { fixture in
            let store = fixture.store
            let telegramID: Int64 = 8_123_456_790
            try await store.receive([Self.update(7)], nextOffset: 8)
            let reply = { (text: String) in
                BotCommit(
                    handledUpdateID: 7,
                    conversations: [telegramID: Self.draftState()],
                    outgoing: [QueuedAction(.send(OutgoingMessage(to: .chat(telegramID), text: text)))]
                )
            }
            try await store.commit(reply("first"))
            await #expect(throws: UpdateHandledElsewhere(updateID: 7)) { try await store.commit(reply("second")) }
            let queued = try await store.nextOutgoing(limit: 10, excludingLanes: [])
            #expect(queued.map(\.action) == [.send(OutgoingMessage(to: .chat(telegramID), text: "first"))])
        }
    }

    /// Two verdicts for one key check (at a change of leader, the old leader's check and the one the new leader
    /// resumed can both finish): the first closes the check, the second finds the conversation no longer awaiting
    /// one and changes nothing, so its answer is not queued.
    @Test(arguments: StoreEngine.allCases)
    func aSecondVerdictForOneCheckChangesNothing(engine: StoreEngine) async throws {
        guard engine.isAvailable else { return }
        try await BotStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let telegramID: Int64 = 8_123_456_791
            try await store.commit(BotCommit(conversations: [telegramID: Self.awaitingState()]))
            #expect(try await store.conversationsAwaitingService().map(\.telegramID) == [telegramID])
            let verdict = { (text: String) in
                BotCommit(
                    conversations: [telegramID: Self.draftState()],
                    outgoing: [QueuedAction(.send(OutgoingMessage(to: .chat(telegramID), text: text)))],
                    closesCheckOf: telegramID
                )
            }
            try await store.commit(verdict("first"))
            await #expect(throws: CheckFinishedElsewhere(telegramID: telegramID)) {
                try await store.commit(verdict("second"))
            }
            let queued = try await store.nextOutgoing(limit: 10, excludingLanes: [])
            #expect(queued.map(\.action) == [.send(OutgoingMessage(to: .chat(telegramID), text: "first"))])
            #expect(try await store.conversationsAwaitingService().isEmpty)
            await #expect(
                throws: CheckFinishedElsewhere(telegramID: 42),
                "a conversation that does not exist awaits no check"
            ) {
                try await store.commit(BotCommit(closesCheckOf: 42))
            }
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func aConditionalWriteNeverOverwritesAConversationThatMovedOn(engine: StoreEngine) async throws {
        try await BotStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let fresh = ConversationState(step: .choosingExchange, updatedAt: Date())
            try await store.commit(BotCommit(conversations: [1: fresh, 2: Self.awaitingState()]))
            let idle = ConversationState(updatedAt: Date())
            // Stored after the sweeper's cut-off: the user moved on; left alone.
            try await store.commit(
                BotCommit(conversations: [1: idle], onlyIfIdleSince: Date().addingTimeInterval(-60))
            )
            #expect(try await store.conversation(ofUser: 1) == fresh)
            // Idle since before the cut-off: written. Waiting for the service: never. No row: none is created.
            try await store.commit(
                BotCommit(conversations: [1: idle, 2: idle, 3: idle], onlyIfIdleSince: Date().addingTimeInterval(60))
            )
            #expect(try await store.conversation(ofUser: 1) == idle)
            #expect(try await store.conversation(ofUser: 2) == Self.awaitingState())
            #expect(try await store.conversation(ofUser: 3) == nil)
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func conversationsAwaitingTheServiceAreNeverIdle(engine: StoreEngine) async throws {
        try await BotStoreFixture.with(engine) { fixture in
            let store = fixture.store
            try await store.commit(BotCommit(conversations: [41: Self.awaitingState(), 42: Self.draftState()]))
            let awaiting = try await store.conversationsAwaitingService()
            #expect(awaiting.map(\.telegramID) == [41] && awaiting.map(\.state) == [Self.awaitingState()])
            let later = Date().addingTimeInterval(ConversationMachine.idleTimeout + 60)
            #expect(try await store.conversations(idleSince: later).map(\.telegramID) == [42])
            #expect(try await store.conversations(idleSince: Date().addingTimeInterval(-60)).isEmpty)
            // Expiring drops the draft's secret and keeps its step, so a late answer is still deleted.
            try await store.expireIdleConversations(now: later)
            let state = try #require(try await store.conversation(ofUser: 42))
            guard case .awaitingPassphrase(let draft) = state.step else {
                Issue.record("the step changed")
                return
            }
            #expect(draft.apiSecret == nil && draft.apiKey == "key-1")
            #expect(try await store.conversation(ofUser: 41) == Self.awaitingState())
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func replaysLearnTheirOutsideEffectAndParkedUpdatesAreTidiedAfterAWeek(engine: StoreEngine) async throws {
        try await BotStoreFixture.with(engine) { fixture in
            let store = fixture.store
            try await store.receive((1...3).map { Self.update($0) }, nextOffset: 4)
            #expect(try await store.beginOutsideEffect(updateID: 1) == false)
            #expect(try await store.beginOutsideEffect(updateID: 1) == true)
            #expect(try await fixture.store(ring: try MultiFernet(keys: [fixture.key])).beginOutsideEffect(updateID: 1))
            #expect(try await store.beginOutsideEffect(updateID: 99) == true, "no longer stored: handled")
            let now = Date()
            try await store.park(updateID: 2, at: now)
            #expect(try await store.unhandledUpdates().updates.map(\.id) == [1, 3])
            try await store.tidy(now: now.addingTimeInterval(86_400))
            #expect(try await fixture.count(.updates) == 3, "kept for inspection for a week")
            try await store.tidy(now: now.addingTimeInterval(8 * 86_400))
            #expect(try await fixture.count(.updates) == 2)
            #expect(try await store.unhandledUpdates().updates.map(\.id) == [1, 3])
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func usersAreCreatedOnceAndKeepAChosenLanguage(engine: StoreEngine) async throws {
        try await BotStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let telegramID: Int64 = 7_000_000_077
            let joined = Date(timeIntervalSince1970: 1_800_000_000.5)
            let (first, none) = try await store.userAndConversation(
                telegramID: telegramID,
                username: "olga",
                languageCode: "ru",
                at: joined
            )
            #expect(none == nil)
            #expect(first.telegramID == telegramID && first.username == "olga" && first.languageCode == "ru")
            #expect(first.isActive && !first.isAdmin)
            #expect(abs((first.createdAt ?? .distantPast).timeIntervalSince(joined)) < 0.001)
            try await store.commit(
                BotCommit(conversations: [telegramID: Self.draftState()], language: (telegramID, "en"))
            )
            let (again, conversation) = try await store.userAndConversation(
                telegramID: telegramID,
                username: "olga2",
                languageCode: "ru",
                at: Date()
            )
            // A stored name is never rewritten from Telegram (the `users` table may be the platform's).
            #expect(again.id == first.id && again.languageCode == "en" && again.username == "olga")
            #expect(conversation == Self.draftState())
            // No name in the update: the stored one stays.
            let quiet = try await store.ensureUser(telegramID: telegramID, username: nil, languageCode: nil, at: Date())
            #expect(quiet == again)
            // A user first seen without a language takes Telegram's when it comes.
            _ = try await store.ensureUser(telegramID: 5, username: nil, languageCode: nil, at: Date())
            #expect(
                try await store.ensureUser(telegramID: 5, username: "x", languageCode: "ru", at: Date()).languageCode
                    == "ru"
            )
            #expect(try await fixture.userRows(telegramID: telegramID) == 1)
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func theAdminGroupsMoveAppliesOnlyWhileItIsTheConfiguredGroup(engine: StoreEngine) async throws {
        try await BotStoreFixture.with(engine) { fixture in
            let store = fixture.store
            #expect(try await store.adminChatOverride(configured: -4_000_001) == nil)
            try await store.setAdminChatOverride(-1_009_999_000_001, configured: -4_000_001)
            #expect(try await store.adminChatOverride(configured: -4_000_001) == -1_009_999_000_001)
            #expect(try await store.adminChatOverride(configured: -1_005_555_000_001) == nil, "another group now")
            // A later move replaces the record: the first group's no longer applies.
            try await store.setAdminChatOverride(-1_007_777_000_001, configured: -4_000_002)
            #expect(try await store.adminChatOverride(configured: -4_000_001) == nil)
            #expect(try await store.adminChatOverride(configured: -4_000_002) == -1_007_777_000_001)
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func usersWhoBlockedTheBotAreUnreachableUntilTheyWriteAgain(engine: StoreEngine) async throws {
        try await BotStoreFixture.with(engine) { fixture in
            let store = fixture.store
            #expect(try await store.isUnreachable(telegramID: 77) == false)
            try await store.setUnreachable(telegramID: 77, true, at: Date())
            try await store.setUnreachable(telegramID: 77, true, at: Date())
            #expect(try await store.isUnreachable(telegramID: 77))
            #expect(try await store.isUnreachable(telegramID: 78) == false)
            try await store.setUnreachable(telegramID: 77, false, at: Date())
            #expect(try await store.isUnreachable(telegramID: 77) == false)
            try await store.setUnreachable(telegramID: 77, true, at: Date())
            try await store.commit(BotCommit(reachable: 77))
            #expect(try await store.isUnreachable(telegramID: 77) == false)
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func rowsNoConfiguredKeyOpensAreDroppedAndReported(engine: StoreEngine) async throws {
        try await BotStoreFixture.with(engine) { fixture in
            let store = fixture.store
            let stranger = fixture.store(ring: try MultiFernet(keys: [.generate()]))
            try await store.receive([Self.update(1)], nextOffset: 2)
            try await stranger.receive([Self.update(2)], nextOffset: 3)
            try await stranger.commit(BotCommit(conversations: [43: Self.draftState()]))
            let (updates, dropped) = try await store.unhandledUpdates()
            #expect(updates.map(\.id) == [1])
            #expect(dropped == [2])
            #expect(try await store.unhandledUpdates().dropped.isEmpty, "reported once: the row is gone")
            #expect(try await store.conversation(ofUser: 43) == nil)
            #expect(try await store.conversations(idleSince: Date().addingTimeInterval(3600)).isEmpty)
            // A ring that holds the old key beside a new one still opens it.
            let rotated = fixture.store(ring: try MultiFernet(keys: [.generate(), fixture.key]))
            #expect(try await rotated.unhandledUpdates().updates.map(\.id) == [1])
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func noSecretTypedInAnUpdateOrAConversationIsStoredInPlainText(engine: StoreEngine) async throws {
        try await BotStoreFixture.with(engine) { fixture in
            let store = fixture.store
            try await store.receive([Self.update(1, Self.secret)], nextOffset: 2)
            _ = try await store.ensureUser(telegramID: 42, username: "olga", languageCode: "en", at: Date())
            try await store.commit(BotCommit(conversations: [42: Self.draftState(), 43: Self.awaitingState()]))
            let rows = try await fixture.everyRow()
            #expect(try await fixture.count(.updates) == 1)
            #expect(try await fixture.count(.conversations) == 2)
            #expect(rows.contains { $0.contains("olga") }, "the dump reads the tables")
            // Counted, not printed: a failure must not show the secret.
            let leaks = rows.filter { $0.contains(Self.secret) || $0.contains("key-1") || $0.contains("key-2") }.count
            #expect(leaks == 0)
        }
    }
}
