import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization
import TestSupport
import Testing

/// The fake's webhook mode, as Telegram behaves: `getUpdates` refused while a webhook is set, each update posted
/// with the secret header, one chat's updates in sequence, a refused post tried again.
@Suite("Webhook")
struct WebhookTests {
    /// A bot's webhook endpoint on loopback: records each post and answers with the status `answer` gives for the
    /// n-th post (counting from 0); notes any chat posted to while one of its posts was still open.
    final class Receiver: Sendable {
        struct Post: Sendable {
            var secret: String?
            var updateID: Int
            var chat: Int64
        }

        let posts = Mutex<[Post]>([])
        let open = Mutex<Set<Int64>>([])
        let overlaps = Mutex(0)
        let answer: @Sendable (Int) -> Int

        init(answer: @escaping @Sendable (Int) -> Int) { self.answer = answer }

        func respond(_ request: Request) async -> Response {
            var request = request
            let body = (try? await request.collectBody(upTo: 1 << 20)) ?? ByteBuffer()
            let update = FakeTelegramValue.parse(String(buffer: body))
            let chat = update?["message"]?["chat"]?["id"]?.int64Value ?? 0
            if !open.withLock({ $0.insert(chat).inserted }) { overlaps.withLock { $0 += 1 } }
            // Hold the post a moment, so a second post of the chat made too early would overlap it.
            try? await Task.sleep(for: .milliseconds(20))
            let index = posts.withLock { posts in
                posts.append(
                    Post(
                        secret: request.headers[HTTPField.Name("X-Telegram-Bot-Api-Secret-Token")!],
                        updateID: update?["update_id"]?.intValue ?? -1,
                        chat: chat
                    )
                )
                return posts.count - 1
            }
            open.withLock { _ = $0.remove(chat) }
            return Response(status: HTTPResponse.Status(code: answer(index)))
        }
    }

    @Test("getUpdates is refused while a webhook is set; deleteWebhook ends it")
    func webhookExcludesPolling() async throws {
        try await withTelegram { server, bot in
            let set = try await bot.call(
                "setWebhook",
                ["url": "https://bot.example.com/hook", "secret_token": "abc_DEF-1", "max_connections": 10]
            )
            #expect(set.result == .bool(true))
            #expect(server.webhookURL?.absoluteString == "https://bot.example.com/hook")
            let info = try await bot.call("getWebhookInfo")
            #expect(info.result?["url"] == "https://bot.example.com/hook")
            #expect(info.result?["max_connections"]?.intValue == 10)
            let poll = try await bot.call("getUpdates")
            #expect(poll.status == 409)
            #expect(poll.json?["description"]?.stringValue?.contains("webhook is active") == true)
            #expect(
                try await bot.call("setWebhook", ["url": "https://x.example", "secret_token": "bad secret"]).status
                    == 400
            )
            _ = try await bot.call("deleteWebhook")
            #expect(try await bot.call("getWebhookInfo").result?["url"] == "")
            #expect(try await bot.call("getUpdates").status == 200)
        }
    }

    @Test("updates are posted with the secret, one chat at a time, and a refused post is tried again")
    func postsInSequenceAndRetries() async throws {
        // The second post is refused (500): Telegram tries it again.
        let receiver = Receiver { $0 == 1 ? 500 : 200 }
        let endpoint = try await LoopbackServer.start(label: "webhook-receiver") { await receiver.respond($0) }
        try await withTelegram { server, bot in
            let url = "http://127.0.0.1:\(endpoint.port)/telegram/webhook"
            _ = try await bot.call("setWebhook", ["url": .string(url), "secret_token": "abc_DEF-1"])
            for index in 0..<4 {
                server.sendUserMessage(from: Cast.alice, chat: Cast.aliceChat, text: "a\(index)")
                server.sendUserMessage(from: Cast.boris, chat: Cast.borisChat, text: "b\(index)")
            }
            #expect(await server.waitUntil { server.pendingUpdateCount == 0 })
            let posts = receiver.posts.withLock { $0 }
            #expect(posts.count == 9, "8 updates, one of them twice")
            #expect(posts.allSatisfy { $0.secret == "abc_DEF-1" })
            #expect(receiver.overlaps.withLock { $0 } == 0, "never two posts of one chat at once")
            for chat in [Cast.alice.id, Cast.boris.id] {
                var delivered = [Int]()
                for post in posts where post.chat == chat && delivered.last != post.updateID {
                    delivered.append(post.updateID)
                }
                #expect(delivered == delivered.sorted() && delivered.count == 4, "\(chat): \(delivered)")
            }
            let refused = try #require(server.webhookDeliveries().first { $0.status == 500 })
            #expect(server.webhookDeliveries().last { $0.updateID == refused.updateID }?.status == 200)
        }
        await endpoint.stop()
    }
}
