import Foundation
import TestSupport
import Testing

/// getUpdates: confirmation by offset, long polling, the one-poller rule; and callback queries.
@Suite("Updates and callbacks")
struct UpdatesTests {
    private func ids(_ response: TelegramTestResponse) -> [Int] {
        (response.result?.arrayValue ?? []).compactMap { $0["update_id"]?.intValue }
    }

    @Test("an update stays until getUpdates is called with a higher offset")
    func offsetConfirmation() async throws {
        try await withTelegram(options: FakeTelegramOptions(firstUpdateID: 700)) { server, bot in
            server.sendUserMessage(from: Cast.alice, chat: Cast.aliceChat, text: "/start")
            server.sendUserMessage(from: Cast.alice, chat: Cast.aliceChat, text: "/add")
            server.sendUserMessage(from: Cast.boris, chat: Cast.borisChat, text: "/help")
            #expect(server.pendingUpdateCount == 3)
            let first = try await bot.call("getUpdates")
            #expect(ids(first) == [700, 701, 702])
            #expect(first.result?[0]?["message"]?["text"] == "/start")
            #expect(first.result?[0]?["message"]?["from"]?["language_code"] == "en")
            #expect(first.result?[0]?["message"]?["entities"]?[0]?["type"] == "bot_command")
            #expect(first.result?[2]?["message"]?["from"]?["first_name"] == "Борис")
            #expect(ids(try await bot.call("getUpdates")) == [700, 701, 702], "not confirmed yet")
            #expect(ids(try await bot.call("getUpdates", ["offset": 701])) == [701, 702])
            #expect(server.confirmedOffset == 701)
            #expect(server.pendingUpdateCount == 2)
            #expect(ids(try await bot.call("getUpdates", ["offset": 700])) == [701, 702], "700 is gone")
            #expect(ids(try await bot.call("getUpdates", ["offset": 703])) == [])
            #expect(server.confirmedOffset == 703)
            #expect(server.pendingUpdateCount == 0)
        }
    }

    @Test("limit is clamped to 1–100 and a negative offset keeps only the last updates")
    func limitAndNegativeOffset() async throws {
        try await withTelegram { server, bot async throws in
            for index in 0..<5 { server.sendUserMessage(from: Cast.alice, chat: Cast.aliceChat, text: "m\(index)") }
            #expect(ids(try await bot.call("getUpdates", ["limit": 2])) == [1, 2])
            #expect(ids(try await bot.form("getUpdates", [("limit", "0")])) == [1])
            #expect(ids(try await bot.query("getUpdates", [("limit", "1000")])) == [1, 2, 3, 4, 5])
            #expect(ids(try await bot.call("getUpdates", ["offset": -2])) == [4, 5])
            #expect(server.pendingUpdateCount == 2)
        }
    }

    @Test("a long poll is answered as soon as an update arrives")
    func longPollWakeUp() async throws {
        try await withTelegram { server, bot in
            let started = ContinuousClock.now
            async let poll = bot.call("getUpdates", ["timeout": 20], timeout: 30)
            #expect(await server.waitUntil { server.isPolling })
            server.sendUserMessage(from: Cast.alice, chat: Cast.aliceChat, text: "wake up")
            let response = try await poll
            let elapsed = ContinuousClock.now - started
            #expect(response.status == 200)
            #expect(response.result?[0]?["message"]?["text"] == "wake up")
            #expect(elapsed < .seconds(10))
        }
    }

    @Test("a long poll with nothing to deliver answers [] when its timeout passes; timeout 0 answers at once")
    func longPollTimeout() async throws {
        try await withTelegram { _, bot in
            let started = ContinuousClock.now
            let response = try await bot.call("getUpdates", ["timeout": 1])
            let elapsed = ContinuousClock.now - started
            #expect(response.status == 200)
            #expect(response.result == .array([]))
            #expect(elapsed >= .milliseconds(950))
            #expect(elapsed < .seconds(6))
            let quick = ContinuousClock.now
            #expect(try await bot.call("getUpdates", ["timeout": -5]).result == .array([]))
            #expect(ContinuousClock.now - quick < .seconds(1))
        }
    }

    @Test("a second getUpdates ends the pending one with 409 Conflict")
    func concurrentPoller() async throws {
        try await withTelegram { server, bot in
            async let first = bot.call("getUpdates", ["timeout": 10], timeout: 30)
            #expect(await server.waitUntil { server.isPolling })
            let second = try await bot.call("getUpdates", ["timeout": 1])
            let aborted = try await first
            #expect(aborted.status == 409)
            #expect(aborted.errorCode == 409)
            #expect(
                aborted.description
                    == "Conflict: terminated by other getUpdates request; "
                    + "make sure that only one bot instance is running"
            )
            #expect(second.status == 200)
            #expect(server.calls("getUpdates").map(\.statusCode).sorted() == [200, 409])
        }
    }

    @Test("allowed_updates persists and filters updates created after it")
    func allowedUpdates() async throws {
        try await withTelegram { server, bot in
            server.addChat(Cast.aliceChat)
            let sent = try await bot.send(Cast.alice.id, "pick", markup: Cast.keyboard("A", data: "a"))
            let messageID = try #require(sent.result?["message_id"]?.intValue)
            _ = try await bot.call("getUpdates", ["allowed_updates": ["callback_query"]])
            server.sendUserMessage(from: Cast.alice, chat: Cast.aliceChat, text: "filtered")
            server.pressButton(from: Cast.alice, message: (Cast.aliceChat, messageID), data: "a")
            let kinds = try await bot.call("getUpdates").result?.arrayValue?.map { $0["callback_query"] != nil }
            #expect(kinds == [true], "the setting persists without being repeated")
            _ = try await bot.form("getUpdates", [("allowed_updates", "[]"), ("offset", "100")])
            #expect(server.enqueueRaw("{\"chat_member\":{\"date\":0}}") == nil, "chat_member is opt-in")
            #expect(server.enqueueRaw("{\"message_reaction\":{\"date\":0}}") == nil)
            server.sendUserMessage(from: Cast.alice, chat: Cast.aliceChat, text: "back to default")
            let messages = try await bot.call("getUpdates").result?.arrayValue ?? []
            #expect(messages.count == 1)
            #expect(messages.first?["message"]?["text"] == "back to default")
        }
    }

    @Test("raw updates pass through: unknown kinds get an update_id, malformed text is delivered as is")
    func rawUpdates() async throws {
        try await withTelegram { server, bot in
            let unknown = server.enqueueRaw("{\"guest_message\":{\"weird\":true}}")
            let malformed = server.enqueueRaw("{\"message\":{\"chat\":\"not an object\"}")
            let complete = server.enqueueRaw("{\"update_id\":99,\"message\":{}}")
            #expect(unknown == 1)
            #expect(malformed == 2)
            #expect(complete == 3)
            let response = try await bot.call("getUpdates")
            #expect(response.status == 200)
            #expect(
                response.text
                    == "{\"ok\":true,\"result\":[{\"update_id\":1,\"guest_message\":{\"weird\":true}},"
                    + "{\"update_id\":2,\"message\":{\"chat\":\"not an object\"},{\"update_id\":99,\"message\":{}}]}"
            )
            #expect(response.json == nil, "the batch is as malformed as the test made it")
            _ = try await bot.call("getUpdates", ["offset": 4])
            #expect(server.pendingUpdateCount == 0)
        }
    }

    @Test("deleteWebhook with drop_pending_updates empties the queue; getWebhookInfo counts it")
    func dropPending() async throws {
        try await withTelegram { server, bot in
            server.sendUserMessage(from: Cast.alice, chat: Cast.aliceChat, text: "old")
            server.sendUserMessage(from: Cast.alice, chat: Cast.aliceChat, text: "older")
            let info = try await bot.call("getWebhookInfo")
            #expect(info.result?["url"] == "")
            #expect(info.result?["pending_update_count"] == 2)
            #expect(try await bot.call("deleteWebhook").result == .bool(true))
            #expect(server.pendingUpdateCount == 2)
            #expect(try await bot.call("deleteWebhook", ["drop_pending_updates": true]).result == .bool(true))
            #expect(server.pendingUpdateCount == 0)
        }
    }

    @Test("a button press becomes a callback_query with the message; answering twice is refused")
    func callbackQueries() async throws {
        try await withTelegram { server, bot in
            server.addChat(Cast.adminGroup)
            let sent = try await bot.send(
                Cast.adminGroup.id,
                "Approve <b>Alice</b>?",
                markup: [
                    "inline_keyboard": [
                        [
                            ["text": "Approve", "callback_data": "approve:1"],
                            ["text": "Reject", "callback_data": "reject:1"],
                        ]
                    ]
                ]
            )
            #expect(sent.status == 200)
            let message = try #require(server.botMessages(in: Cast.adminGroup.id).first)
            #expect(message.inlineKeyboard.first?.map(\.text) == ["Approve", "Reject"])
            let queryID = try #require(server.pressButton(from: Cast.admin, on: message, caption: "Reject"))
            #expect(server.pressButton(from: Cast.admin, on: message, caption: "Maybe") == nil)
            let update = try #require(try await bot.call("getUpdates").result?[0]?["callback_query"])
            #expect(update["id"] == .string(queryID))
            #expect(update["data"] == "reject:1")
            #expect(update["from"]?["id"] == .integer(Cast.admin.id))
            #expect(update["message"]?["message_id"] == .integer(Int64(message.messageID)))
            #expect(update["message"]?["text"] == "Approve Alice?")
            #expect(update["message"]?["reply_markup"] != nil)
            #expect(update["chat_instance"]?.stringValue?.isEmpty == false)
            #expect(server.unansweredCallbackQueries() == [queryID])
            let answer = try await bot.call(
                "answerCallbackQuery",
                ["callback_query_id": .string(queryID), "text": "Only admins decide", "show_alert": true]
            )
            #expect(answer.result == .bool(true))
            #expect(server.unansweredCallbackQueries().isEmpty)
            let recorded = try #require(server.callbackQueries().first)
            #expect(recorded.isAnswered)
            #expect(recorded.showAlert)
            #expect(recorded.answerText == "Only admins decide")
            let twice = try await bot.call("answerCallbackQuery", ["callback_query_id": .string(queryID)])
            #expect(twice.status == 400)
            #expect(
                twice.description
                    == "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
            let unknown = try await bot.call("answerCallbackQuery", ["callback_query_id": "12345"])
            #expect(unknown.description == twice.description)
        }
    }

    @Test("a press on a deleted message carries an inaccessible message (date 0)")
    func inaccessibleMessage() async throws {
        try await withTelegram { server, bot in
            server.addChat(Cast.aliceChat)
            _ = try await bot.send(Cast.alice.id, "x", markup: Cast.keyboard("Go", data: "go"))
            _ = try await bot.call("deleteMessage", ["chat_id": 1001, "message_id": 1])
            server.pressButton(from: Cast.alice, message: (Cast.aliceChat, 1), data: "go")
            let message = try await bot.call("getUpdates").result?[0]?["callback_query"]?["message"]
            #expect(message?["date"] == 0)
            #expect(message?["message_id"] == 1)
            #expect(message?["text"] == nil)
        }
    }

    @Test("an answer after the callback timeout is refused as too old")
    func lateAnswer() async throws {
        try await withTelegram(options: FakeTelegramOptions(callbackQueryTimeout: 0.3)) { server, bot in
            let id = server.pressButton(from: Cast.alice, message: (Cast.aliceChat, 1), data: "x")
            try await Task.sleep(for: .milliseconds(600))
            let late = try await bot.call("answerCallbackQuery", ["callback_query_id": .string(id)])
            #expect(late.status == 400)
            #expect(late.description?.hasPrefix("Bad Request: query is too old") == true)
            #expect(server.unansweredCallbackQueries() == [id])
            server.setCallbackQueryTimeout(seconds: 15)
            let fresh = server.pressButton(from: Cast.alice, message: (Cast.aliceChat, 1), data: "x")
            #expect(try await bot.call("answerCallbackQuery", ["callback_query_id": .string(fresh)]).status == 200)
        }
    }

    @Test("waitUntil returns as soon as the condition holds, false after its timeout")
    func waitUntil() async throws {
        try await withTelegram { server, bot in
            server.addChat(Cast.aliceChat)
            Task {
                try await Task.sleep(for: .milliseconds(200))
                _ = try await bot.send(Cast.alice.id, "later")
            }
            #expect(await server.waitUntil(timeout: .seconds(10)) { server.botMessages(in: 1001).count == 1 })
            let started = ContinuousClock.now
            #expect(await server.waitUntil(timeout: .milliseconds(300)) { false } == false)
            #expect(ContinuousClock.now - started >= .milliseconds(290))
        }
    }

    @Test("stop ends a held long poll")
    func stopEndsPoll() async throws {
        let server = try await FakeTelegramServer.start(token: Cast.token)
        let bot = BotClient(server)
        let poll = Task { try await bot.call("getUpdates", ["timeout": 30], timeout: 40) }
        try await Task.sleep(for: .milliseconds(300))
        let started = ContinuousClock.now
        await server.stop()
        #expect(ContinuousClock.now - started < .seconds(10))
        _ = try? await poll.value
    }
}
