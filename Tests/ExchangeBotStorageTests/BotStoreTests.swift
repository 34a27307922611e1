import BotConversation
import ExchangeBotCore
import Fernet
import Foundation
import GRDB
import TestSupport
import Testing

@testable import ExchangeBotStorage

/// The bot's tables: what is sealed, what commits together, what is queued once, and that key rotation and the
/// start-up key check cover the bot's sealed rows.
@Suite struct BotStoreTests {
    let old = FernetKey.generate()
    let new = FernetKey.generate()
    let secret = "s3cr3t-\(UUID().uuidString)"

    func open(_ folder: TemporaryFolder, _ keys: [FernetKey]) throws -> (AppDatabase, SQLiteBotStore) {
        let database = try AppDatabase.open(.file(path: folder.path("bot.sqlite")), concurrentReads: false)
        return (database, SQLiteBotStore(database: database, ring: try MultiFernet(keys: keys)))
    }

    func draftState() -> ConversationState {
        ConversationState(
            step: .awaitingPassphrase(
                Draft(exchange: .okx, label: "L", apiKey: "key-1", apiSecret: SecretString(secret))
            ),
            updatedAt: Date(timeIntervalSince1970: 1_800_000_000)
        )
    }

    @Test func conversationsAndReceivedUpdatesAreSealedAndCommitTogether() async throws {
        let folder = TemporaryFolder()
        let (database, store) = try open(folder, [old])
        let payload = Data("{\"update_id\":7,\"message\":{\"text\":\"\(secret)\"}}".utf8)
        try await store.receive([ReceivedUpdate(id: 7, payload: payload)], nextOffset: 8)
        #expect(try await store.nextOffset() == 8)
        #expect(try await store.unhandledUpdates().updates == [ReceivedUpdate(id: 7, payload: payload)])

        let message = OutgoingMessage(to: .chat(42), text: "Checking…")
        try await store.commit(
            BotCommit(
                handledUpdateID: 7,
                conversations: [42: draftState()],
                outgoing: [QueuedAction(.send(message), dedupeKey: "once")]
            )
        )
        #expect(try await store.unhandledUpdates().updates.isEmpty)
        #expect(try await store.conversation(ofUser: 42) == draftState())
        // The same dedupe key again queues nothing (a redelivered event).
        try await store.commit(BotCommit(outgoing: [QueuedAction(.send(message), dedupeKey: "once")]))
        let queued = try await store.nextOutgoing(limit: 10, excludingLanes: [])
        #expect(queued.map(\.action) == [.send(message)])

        let raw = try await database.writer.read { db in
            try String.fetchAll(db, sql: "SELECT state FROM bot_conversations UNION ALL SELECT payload FROM bot_inbox")
        }
        #expect(raw.allSatisfy { !$0.contains(secret) && !$0.contains("key-1") })
        _ = try await database.writer.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        let bytes = try Data(contentsOf: folder.url.appendingPathComponent("bot.sqlite"))
        #expect(bytes.range(of: Data(secret.utf8)) == nil)
    }

    @Test func postedRequestsAndReasonPromptsAreRemembered() async throws {
        let folder = TemporaryFolder()
        let (_, store) = try open(folder, [old])
        let request = OutgoingMessage(to: .adminChat, text: "Key #5", purpose: .adminRequest(keyID: 5))
        let prompt = OutgoingMessage(
            to: .adminChat,
            text: "reason?",
            forceReply: true,
            purpose: .reasonPrompt(keyID: 5, revision: "00000000000000ab", admin: 42)
        )
        try await store.commit(BotCommit(outgoing: [QueuedAction(.send(request)), QueuedAction(.send(prompt))]))
        // One lane, the admin group's: the second waits until the first is done.
        let first = try await store.nextOutgoing(limit: 10, excludingLanes: [])
        #expect(first.count == 1)
        try await store.finishOutgoing(
            first[0],
            result: .sent(PostedMessage(chatID: -100, messageID: 11, text: "Key #5"))
        )
        let second = try await store.nextOutgoing(limit: 10, excludingLanes: [])
        #expect(second.map(\.action) == [.send(prompt)])
        try await store.finishOutgoing(
            try #require(second.first),
            result: .sent(PostedMessage(chatID: -100, messageID: 12, text: "reason?"))
        )
        #expect(try await store.nextOutgoing(limit: 10, excludingLanes: []).isEmpty)
        #expect(
            try await store.requestMessages(ofKey: 5) == [PostedMessage(chatID: -100, messageID: 11, text: "Key #5")]
        )
        let remembered = try await store.reasonPrompt(chatID: -100, messageID: 12)
        #expect(remembered == ReasonPrompt(keyID: 5, revision: "00000000000000ab", admin: 42))
        #expect(try await store.reasonPrompts(ofKey: 5).map(\.messageID) == [12])
        #expect(try await store.reasonPrompts(ofKey: 6).isEmpty)
        #expect(try await store.reasonPrompt(chatID: -100, messageID: 11) == nil)
    }

    @Test func eachLaneOffersItsOldestActionAndBusyLanesWait() async throws {
        let folder = TemporaryFolder()
        let (_, store) = try open(folder, [old])
        let actions: [OutgoingAction] = [
            .send(OutgoingMessage(to: .chat(1), text: "a1")), .send(OutgoingMessage(to: .chat(2), text: "b1")),
            .send(OutgoingMessage(to: .chat(1), text: "a2")),
            .send(OutgoingMessage(to: .adminChat, text: "r1", purpose: .adminRequest(keyID: 5))),
            .closeRequests(keyID: 4, note: "n"),
        ]
        try await store.commit(BotCommit(outgoing: actions.map { QueuedAction($0) }))
        let heads = try await store.nextOutgoing(limit: 10, excludingLanes: [])
        #expect(heads.map(\.action) == [actions[0], actions[1], actions[3]])
        #expect(heads.map(\.lane) == [1, 2, OutgoingAction.adminChatLane])
        let idle = try await store.nextOutgoing(limit: 10, excludingLanes: [1, OutgoingAction.adminChatLane])
        #expect(idle.map(\.action) == [actions[1]])
        try await store.finishOutgoing(heads[0], result: .abandoned("test"))
        try await store.finishOutgoing(heads[2], result: .abandoned("test"))
        #expect(
            try await store.nextOutgoing(limit: 10, excludingLanes: []).map(\.action)
                == [actions[1], actions[2], actions[4]]
        )
    }

    /// A key decided while its request still waits for the admin group's send limit: the request is dropped, not
    /// posted stale, and the close has nothing left to wait for.
    @Test func closingAKeyDropsItsUnsentRequest() async throws {
        let folder = TemporaryFolder()
        let (_, store) = try open(folder, [old])
        let requests = (1...3).map {
            OutgoingAction.send(OutgoingMessage(to: .adminChat, text: "r\($0)", purpose: .adminRequest(keyID: $0)))
        }
        try await store.commit(BotCommit(outgoing: requests.map { QueuedAction($0) }))
        try await store.commit(BotCommit(outgoing: [QueuedAction(.closeRequests(keyID: 2, note: "n"))]))
        var order = [OutgoingAction]()
        while let next = try await store.nextOutgoing(limit: 1, excludingLanes: []).first {
            order.append(next.action)
            try await store.finishOutgoing(next, result: .sent(nil))
        }
        #expect(order == [requests[0], requests[2], .closeRequests(keyID: 2, note: "n")])
    }

    @Test func rotationResealsTheBotsRowsAndTheCheckCountsThem() async throws {
        let folder = TemporaryFolder()
        let (database, store) = try open(folder, [old])
        try await store.commit(BotCommit(conversations: [42: draftState(), 43: ConversationState(updatedAt: Date())]))
        try await store.receive([ReceivedUpdate(id: 9, payload: Data("{}".utf8))], nextOffset: 10)

        let before = try MasterKeyCheck.run(database, ring: try MultiFernet(keys: [new, old]))
        #expect(before.tokens == 3 && before.openedByOlderKeys == 3)
        let report = try MasterKeyRotation.rotate(database, ring: try MultiFernet(keys: [new, old]))
        #expect(report.botTokens == 3)

        let rotated = SQLiteBotStore(database: database, ring: try MultiFernet(keys: [new]))
        #expect(try await rotated.conversation(ofUser: 42) == draftState())
        #expect(try await rotated.unhandledUpdates().updates.map(\.id) == [9])
        #expect(try MasterKeyCheck.run(database, ring: try MultiFernet(keys: [new])).openedByPrimary == 3)
    }

    @Test func aConversationNoKeyOpensStopsRotationAndChangesNothing() async throws {
        let folder = TemporaryFolder()
        let (database, store) = try open(folder, [old])
        try await store.commit(BotCommit(conversations: [42: draftState()]))
        let stranger = try MultiFernet(keys: [.generate()])
        try await SQLiteBotStore(database: database, ring: stranger).commit(
            BotCommit(conversations: [43: draftState()])
        )
        let snapshot = try await database.writer.read { db in
            try String.fetchAll(db, sql: "SELECT state FROM bot_conversations ORDER BY telegram_id")
        }
        #expect(throws: MasterKeyRotation.UnreadableSecrets.self) {
            try MasterKeyRotation.rotate(database, ring: try MultiFernet(keys: [new, old]))
        }
        let after = try await database.writer.read { db in
            try String.fetchAll(db, sql: "SELECT state FROM bot_conversations ORDER BY telegram_id")
        }
        #expect(after == snapshot)
    }

    @Test func tidyingDropsAbandonedSecretsAndOldRows() async throws {
        let folder = TemporaryFolder()
        let (database, store) = try open(folder, [old])
        try await store.commit(
            BotCommit(
                conversations: [42: draftState()],
                outgoing: [QueuedAction(.send(OutgoingMessage(to: .chat(1), text: "old")))]
            )
        )
        let row = try #require(try await store.nextOutgoing(limit: 1, excludingLanes: []).first)
        try await store.finishOutgoing(row, result: .sent(nil))
        let later = Date().addingTimeInterval(8 * 86_400)
        try await store.tidy(now: later)
        try await store.expireIdleConversations(now: later)
        let state = try #require(try await store.conversation(ofUser: 42))
        guard case .awaitingPassphrase(let draft) = state.step else { throw TidyFailure() }
        #expect(draft.apiSecret == nil && draft.apiKey == "key-1", "the step stays, so a late answer is still deleted")
        let rows = try await database.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM bot_outgoing")
        }
        #expect(rows == 0)
    }

    struct TidyFailure: Error {}

    @Test func aChosenLanguageOutlivesTelegramsAndUsersAreCreatedOnce() async throws {
        let folder = TemporaryFolder()
        let (_, store) = try open(folder, [old])
        let first = try await store.ensureUser(telegramID: 77, username: "olga", languageCode: "ru", at: Date())
        try await store.commit(BotCommit(language: (77, "en")))
        let again = try await store.ensureUser(telegramID: 77, username: "olga2", languageCode: "ru", at: Date())
        // A stored name is never rewritten from Telegram (the `users` table may be the platform's).
        #expect(again.id == first.id && again.languageCode == "en" && again.username == "olga")
        try await store.setUnreachable(telegramID: 77, true, at: Date())
        #expect(try await store.isUnreachable(telegramID: 77))
        try await store.setUnreachable(telegramID: 77, false, at: Date())
        #expect(try await store.isUnreachable(telegramID: 77) == false)
    }
}
