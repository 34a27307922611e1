import BotConversation
import ExchangeBotStorage
import Fernet
import Foundation
import Logging
import PostgresStorage
import TelegramBot
import TestSupport
import Testing

/// What the webhook route stores: each post's update in the encrypted inbox (once, however often Telegram posts
/// it), the bot's kinds only, and nothing for an update that cannot be read, on both engines.
@Suite struct WebhookInboxTests {
    static func message(_ id: Int64, chat: Int64 = 5_300_001, text: String = "hello") -> Data {
        Data(
            #"{"update_id":\#(id),"message":{"message_id":\#(id),"date":0,"chat":{"id":\#(chat),"type":"private"},"from":{"id":\#(chat),"is_bot":false,"first_name":"A"},"text":"\#(text)"}}"#
                .utf8
        )
    }

    /// An inbox on a fresh database of `engine`, and its bell.
    static func withInbox(
        _ engine: StoreEngine,
        _ body: (WebhookInbox, any BotStore, InboxBell) async throws -> Void
    ) async throws {
        guard engine.isAvailable else { return }
        let ring = try MultiFernet(keys: [.generate()])
        let bell = InboxBell()
        let logger = Logger(label: "webhook-inbox-test")
        switch engine {
        case .sqlite:
            let store = SQLiteBotStore(database: try AppDatabase.open(.inMemory), ring: ring)
            try await body(WebhookInbox(store: store, bell: bell, logger: logger), store, bell)
        case .postgres:
            let (pool, _, running) = try await PostgresTestServer.shared().openDatabase("inbox")
            defer { running.cancel() }
            try await PostgresSchema.migrate(pool)
            let store = PostgresBotStore(database: pool, ring: ring)
            try await body(WebhookInbox(store: store, bell: bell, logger: logger), store, bell)
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func anUpdatePostedTwiceIsStoredOnce(engine: StoreEngine) async throws {
        try await Self.withInbox(engine) { inbox, store, _ in
            var receipts = [WebhookInbox.Receipt]()
            for post in [Self.message(41, text: "first"), Self.message(41, text: "first"), Self.message(42)] {
                receipts.append(try await inbox.receive(post))
            }
            #expect(receipts == [.stored, .stored, .stored])
            let stored = try await store.unhandledUpdates().updates
            #expect(stored.map(\.id) == [41, 42])
            #expect(String(decoding: stored[0].payload, as: UTF8.self).contains("first"))
        }
    }

    @Test(arguments: StoreEngine.allCases)
    func anUnreadableUpdateOrAnUnaskedKindIsSkippedAndNothingIsStored(engine: StoreEngine) async throws {
        try await Self.withInbox(engine) { inbox, store, _ in
            // A message without its required chat: its kind is known, its payload unreadable.
            let unreadable = Data(#"{"update_id":50,"message":{"message_id":1,"date":0}}"#.utf8)
            let posts = [
                unreadable, Data(#"{"update_id":51,"channel_post":{"x":1}}"#.utf8), Data(#"{"message":{}}"#.utf8),
                Data("not json".utf8),
            ]
            var receipts = [WebhookInbox.Receipt]()
            for post in posts { receipts.append(try await inbox.receive(post)) }
            #expect(receipts == Array(repeating: .skipped, count: posts.count))
            let stored = try await store.unhandledUpdates().updates
            #expect(stored.isEmpty)
        }
    }

    @Test func theUpdateIsStoredEncrypted() async throws {
        let folder = TemporaryFolder()
        let path = folder.path("inbox.sqlite")
        let store = SQLiteBotStore(
            database: try AppDatabase.open(.file(path: path), concurrentReads: false),
            ring: try MultiFernet(keys: [.generate()])
        )
        let inbox = WebhookInbox(store: store, bell: InboxBell(), logger: Logger(label: "webhook-inbox-test"))
        try await inbox.receive(Self.message(60, text: "secret-typed-by-user-0042"))
        #expect(try await store.unhandledUpdates().updates.count == 1)
        var bytes = Data()
        for suffix in ["", "-wal"] {
            bytes.append(FileManager.default.contents(atPath: path + suffix) ?? Data())
        }
        #expect(!bytes.isEmpty)
        #expect(bytes.range(of: Data("secret-typed-by-user-0042".utf8)) == nil)
    }
}
