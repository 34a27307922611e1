import BotConversation
import ExchangeBotCore
import Fernet
import Foundation
import Logging
import PostgresStorage
import Synchronization
import TestSupport
import Testing

/// The leader hears, on its lease's session, what another instance adds to a shared queue (the outgoing queue, the
/// mail outbox, the webhook inbox), once per adding commit, and nothing for its own instance's additions or for a
/// statement that added nothing.
@Suite(.enabled(if: PostgresTestServer.isAvailable, "PostgreSQL is not installed"))
struct SharedQueueNoticeTests {
    let logger = Logger(label: "notice-tests")

    /// What the listener heard, in order, and a way to wait for a number of notices.
    final class Heard: Sendable {
        private let list = Mutex<[SharedQueue]>([])

        func append(_ queue: SharedQueue) { list.withLock { $0.append(queue) } }

        var all: [SharedQueue] { list.withLock { $0 } }

        /// Waits (up to 30 s, for a loaded machine) until `count` notices arrived; returns them.
        func first(_ count: Int) async throws -> [SharedQueue] {
            for _ in 0..<3000 where all.count < count { try await Task.sleep(for: .milliseconds(10)) }
            return all
        }
    }

    @Test func theLeaderHearsOtherInstancesAdditionsAndNotItsOwn() async throws {
        let server = try await PostgresTestServer.shared()
        let (leaderPool, url, leaderTask) = try await server.openDatabase("notices")
        defer { leaderTask.cancel() }
        try await PostgresSchema.migrate(leaderPool)
        let followerPool = try PostgresPool(url: try PostgresURL(url), logger: logger)
        let followerTask = await followerPool.runInBackground()
        defer { followerTask.cancel() }
        let ring = try MultiFernet(keys: [FernetKey.generate()])
        let leaderBot = PostgresBotStore(database: leaderPool, ring: ring)
        let followerBot = PostgresBotStore(database: followerPool, ring: ring)
        let followerExchange = PostgresExchangeStore(database: followerPool, ring: ring)

        let lease = try PostgresLeaderLease(url: try PostgresURL(url), notices: leaderPool.notices, logger: logger)
        let held = try #require(try await lease.tryAcquire())
        let heard = Heard()
        try await held.listen { heard.append($0) }

        func message(_ text: String, dedupe: String) -> BotCommit {
            BotCommit(outgoing: [QueuedAction(.send(OutgoingMessage(to: .chat(7), text: text)), dedupeKey: dedupe)])
        }
        try await followerBot.commit(message("from the follower", dedupe: "f1"))
        #expect(try await heard.first(1) == [.outgoing])

        // The leader's own commit, the follower's repeat of a queued action (nothing added), then a webhook post
        // stored by the follower: notices arrive in commit order, so only the last one may follow the first.
        try await leaderBot.commit(message("from the leader", dedupe: "l1"))
        try await followerBot.commit(message("from the follower", dedupe: "f1"))
        try await followerBot.receive(
            [ReceivedUpdate(id: 10, payload: Data(#"{"update_id":10}"#.utf8))],
            nextOffset: 11
        )
        #expect(try await heard.first(2) == [.outgoing, .inbox])

        // Two actions in one commit are one notice; a mail the follower queues is another.
        try await followerBot.commit(
            BotCommit(outgoing: [
                QueuedAction(.send(OutgoingMessage(to: .chat(7), text: "a")), dedupeKey: "f2"),
                QueuedAction(.send(OutgoingMessage(to: .chat(8), text: "b")), dedupeKey: "f3"),
            ])
        )
        try await followerExchange.queueMail(.telegramUnlinked, toUser: 1, dedupeKey: "m1", at: Date())
        #expect(try await heard.first(4) == [.outgoing, .inbox, .outgoing, .mail])
        try await Task.sleep(for: .milliseconds(200))
        #expect(heard.all.count == 4, "\(heard.all)")

        await held.release()
        await lease.close()
    }
}
