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
        #expect(try await store.unhandledUpdates() == [ReceivedUpdate(id: 7, payload: payload)])

        let message = OutgoingMessage(to: .chat(42), text: "Checking…")
        try await store.commit(
            BotCommit(
                handledUpdateID: 7,
                conversations: [42: draftState()],
                outgoing: [QueuedAction(.send(message), dedupeKey: "once")]
            )
        )
        #expect(try await store.unhandledUpdates().isEmpty)
        #expect(try await store.conversation(ofUser: 42) == draftState())
        // The same dedupe key again queues nothing (a redelivered event).
        try await store.commit(BotCommit(outgoing: [QueuedAction(.send(message), dedupeKey: "once")]))
        let queued = try await store.queuedOutgoing(limit: 10, excluding: [])
        #expect(queued.map(\.action) == [.send(message)])

        let raw = try await database.writer.read { db in
            try String.fetchAll(db, sql: "SELECT state FROM bot_conversations UNION ALL SELECT payload FROM bot_inbox")
        }
        #expect(raw.allSatisfy { !$0.contains(secret) && !$0.contains("key-1") })
        try await database.writer.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
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
            purpose: .reasonPrompt(keyID: 5)
        )
        try await store.commit(BotCommit(outgoing: [QueuedAction(.send(request)), QueuedAction(.send(prompt))]))
        let queued = try await store.queuedOutgoing(limit: 10, excluding: [])
        try await store.finishOutgoing(
            queued[0].id,
            result: .sent(PostedMessage(chatID: -100, messageID: 11, text: "Key #5"))
        )
        try await store.finishOutgoing(
            queued[1].id,
            result: .sent(PostedMessage(chatID: -100, messageID: 12, text: "reason?"))
        )
        #expect(try await store.queuedOutgoing(limit: 10, excluding: []).isEmpty)
        #expect(
            try await store.requestMessages(ofKey: 5) == [PostedMessage(chatID: -100, messageID: 11, text: "Key #5")]
        )
        #expect(try await store.reasonPrompt(chatID: -100, messageID: 12) == 5)
        #expect(try await store.reasonPrompt(chatID: -100, messageID: 11) == nil)
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
        #expect(try await rotated.unhandledUpdates().map(\.id) == [9])
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

    @Test func aChosenLanguageOutlivesTelegramsAndUsersAreCreatedOnce() async throws {
        let folder = TemporaryFolder()
        let (_, store) = try open(folder, [old])
        let first = try await store.ensureUser(telegramID: 77, username: "olga", languageCode: "ru", at: Date())
        try await store.commit(BotCommit(language: (77, "en")))
        let again = try await store.ensureUser(telegramID: 77, username: "olga2", languageCode: "ru", at: Date())
        #expect(again.id == first.id && again.languageCode == "en" && again.username == "olga2")
        try await store.setUnreachable(telegramID: 77, true, at: Date())
        #expect(try await store.isUnreachable(telegramID: 77))
        try await store.setUnreachable(telegramID: 77, false, at: Date())
        #expect(try await store.isUnreachable(telegramID: 77) == false)
    }
}
