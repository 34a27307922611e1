import Foundation
import TestSupport
import Testing

/// Injected faults and the switchable send limits.
@Suite("Faults and rate limits")
struct FaultTests {
    @Test("429 carries retry_after in parameters and a Retry-After header; the next call passes")
    func tooManyRequests() async throws {
        try await withTelegram { server, bot in
            server.addChat(Cast.aliceChat)
            server.injectErrors([.tooManyRequests(retryAfter: 7)], for: "sendMessage")
            let throttled = try await bot.send(Cast.alice.id, "x")
            #expect(throttled.status == 429)
            #expect(throttled.errorCode == 429)
            #expect(throttled.description == "Too Many Requests: retry after 7")
            #expect(throttled.parameters == ["retry_after": 7])
            #expect(throttled.headers["retry-after"] == "7")
            #expect(try await bot.send(Cast.alice.id, "x").status == 200)
            #expect(server.tooManyRequestsCount == 1)
            #expect(server.botMessages(in: Cast.alice.id).count == 1, "a refused send leaves no message")
        }
    }

    @Test("500 is Telegram's JSON; 502 is the front proxy's HTML page")
    func serverErrors() async throws {
        try await withTelegram { server, bot in
            server.injectErrors([.serverError(status: 500), .serverError(status: 502)], for: "getMe")
            let restart = try await bot.call("getMe")
            #expect(restart.status == 500)
            #expect(restart.errorCode == 500)
            #expect(restart.description == "Internal Server Error: restart")
            let gateway = try await bot.call("getMe")
            #expect(gateway.status == 502)
            #expect(gateway.headers["content-type"] == "text/html")
            #expect(gateway.json == nil)
            #expect(gateway.text.contains("502 Bad Gateway"))
            #expect(try await bot.call("getMe").status == 200)
        }
    }

    @Test("blocked is 403; migrated is 400 with migrate_to_chat_id; any other error as given")
    func blockedAndMigrated() async throws {
        try await withTelegram { server, bot in
            server.addChat(Cast.aliceChat)
            server.injectErrors(
                [
                    .blocked, .migrated(to: -1_002_000_000_001),
                    .error(code: 403, description: "Forbidden: bot can't initiate conversation with a user"),
                ],
                for: "SENDMESSAGE"
            )
            let blocked = try await bot.send(Cast.alice.id, "x")
            #expect(blocked.status == 403)
            #expect(blocked.description == "Forbidden: bot was blocked by the user")
            #expect(blocked.parameters == nil)
            let migrated = try await bot.send(Cast.alice.id, "x")
            #expect(migrated.status == 400)
            #expect(migrated.description == "Bad Request: group chat was upgraded to a supergroup chat")
            #expect(migrated.parameters?["migrate_to_chat_id"] == .integer(-1_002_000_000_001))
            let other = try await bot.send(Cast.alice.id, "x")
            #expect(other.status == 403)
            #expect(other.description == "Forbidden: bot can't initiate conversation with a user")
            #expect(try await bot.send(Cast.alice.id, "x").status == 200)
        }
    }

    @Test("faults for any method hit the next call except getUpdates; per-method faults come first")
    func anyMethod() async throws {
        try await withTelegram { server, bot in
            server.addChat(Cast.aliceChat)
            server.injectErrors([.blocked])
            server.injectErrors([.serverError(status: 500)], for: "getMe")
            #expect(try await bot.call("getUpdates").status == 200)
            #expect(try await bot.call("getMe").status == 500)
            #expect(try await bot.call("getMe").status == 403)
            #expect(try await bot.call("getMe").status == 200)
            server.injectErrors([.tooManyRequests(retryAfter: 3)], for: "getUpdates")
            let poll = try await bot.call("getUpdates")
            #expect(poll.status == 429)
            #expect(poll.headers["retry-after"] == "3")
        }
    }

    @Test("one message per second per chat: the second is 429 with retry_after 1, and passes after waiting")
    func perChatLimit() async throws {
        try await withTelegram { server, bot in
            server.addChat(Cast.aliceChat)
            server.addChat(Cast.borisChat)
            server.enforceRateLimits()
            server.freezeClock()
            #expect(try await bot.send(Cast.alice.id, "1").status == 200)
            let second = try await bot.send(Cast.alice.id, "2")
            #expect(second.status == 429)
            #expect(second.parameters?["retry_after"] == 1)
            #expect(second.headers["retry-after"] == "1")
            #expect(try await bot.send(Cast.boris.id, "other chat").status == 200)
            server.advanceClock(by: 1.05)
            #expect(try await bot.send(Cast.alice.id, "2").status == 200)
            #expect(server.tooManyRequestsCount == 1)
            server.disableRateLimits()
            #expect(try await bot.send(Cast.alice.id, "3").status == 200)
            #expect(try await bot.send(Cast.alice.id, "4").status == 200)
        }
    }

    @Test("a fractional per-chat rate spaces messages further apart")
    func slowChat() async throws {
        try await withTelegram { server, bot in
            server.addChat(Cast.aliceChat)
            server.enforceRateLimits(perChatPerSecond: 0.25)
            server.freezeClock()
            #expect(try await bot.send(Cast.alice.id, "1").status == 200)
            let second = try await bot.send(Cast.alice.id, "2")
            #expect(second.parameters?["retry_after"] == 4)
        }
    }

    @Test("twenty per minute per group: the next one waits about a minute; private chats are not counted")
    func perGroupLimit() async throws {
        try await withTelegram { server, bot in
            server.addChat(Cast.adminGroup)
            server.addChat(Cast.aliceChat)
            server.enforceRateLimits(perChatPerSecond: 1000, perGroupPerMinute: 20, globalPerSecond: 1000)
            server.freezeClock()
            for index in 0..<20 {
                #expect(try await bot.send(Cast.adminGroup.id, "request \(index)").status == 200)
            }
            let over = try await bot.send(Cast.adminGroup.id, "one too many")
            #expect(over.status == 429)
            let retryAfter = try #require(over.parameters?["retry_after"]?.intValue)
            #expect((55...60).contains(retryAfter))
            #expect(over.headers["retry-after"] == String(retryAfter))
            #expect(try await bot.send(Cast.alice.id, "private").status == 200)
        }
    }

    @Test("thirty per second overall, across chats")
    func globalLimit() async throws {
        try await withTelegram { server, bot in
            let users = (0..<20).map { FakeUser(id: 2000 + Int64($0), firstName: "U\($0)") }
            for user in users { server.addChat(FakeChat.privateChat(with: user)) }
            server.enforceRateLimits(globalPerSecond: 3)
            server.freezeClock()
            // One message to each of many chats, as fast as possible: the fourth inside any one second is refused.
            // Under load the sends may spread over more than a second, so the refusal is looked for, not counted on
            // at a fixed position.
            var refusals = [TelegramTestResponse]()
            for user in users {
                let response = try await bot.send(user.id, "news")
                if response.status == 429 { refusals.append(response) }
                if refusals.count == 1 { break }
            }
            let over = try #require(refusals.first)
            #expect(over.parameters?["retry_after"] == 1)
            #expect(server.tooManyRequestsCount == 1)
            #expect(server.calls("sendMessage").filter { $0.statusCode == 429 }.count == 1)
        }
    }

    @Test("the limiter serves many concurrent sends without losing count")
    func concurrentSends() async throws {
        try await withTelegram { server, bot in
            let users = (0..<40).map { FakeUser(id: 3000 + Int64($0), firstName: "U\($0)") }
            for user in users { server.addChat(FakeChat.privateChat(with: user)) }
            server.enforceRateLimits()
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for user in users { group.addTask { try await bot.send(user.id, "news").status } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            let accepted = statuses.filter { $0 == 200 }.count
            #expect(accepted >= 30 && accepted <= 40)
            #expect(statuses.filter { $0 == 429 }.count == server.tooManyRequestsCount)
            #expect(accepted + server.tooManyRequestsCount == 40)
        }
    }
}
