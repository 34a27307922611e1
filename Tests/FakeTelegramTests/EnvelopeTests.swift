import Foundation
import TestSupport
import Testing

/// Routing, the response envelope, status codes and the three ways to pass parameters.
@Suite("Envelope and routing")
struct EnvelopeTests {
    @Test("baseURL is loopback with an OS-chosen port; getMe answers the envelope with the bot user")
    func getMe() async throws {
        try await withTelegram { server, bot in
            #expect(server.baseURL.scheme == "http")
            #expect(server.baseURL.host == "127.0.0.1")
            #expect(server.baseURL.path.isEmpty)
            let response = try await bot.call("getMe")
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "application/json")
            #expect(response.ok == true)
            #expect(response.json?["error_code"] == nil)
            #expect(response.result?["id"] == .integer(123_456_789))
            #expect(response.result?["is_bot"] == .bool(true))
            #expect(response.result?["username"] == "exchange_test_bot")
            #expect(server.bot.id == 123_456_789)
        }
    }

    @Test("method names are case-insensitive, and GET works as well as POST")
    func caseInsensitive() async throws {
        try await withTelegram { server, bot async throws in
            #expect(try await bot.call("GETME").ok == true)
            #expect(try await bot.query("getme", []).ok == true)
            #expect(try await bot.call("GetMe").ok == true)
            #expect(server.calls("getMe").count == 3)
            #expect(server.calls("getme").map(\.httpMethod) == ["POST", "GET", "POST"])
        }
    }

    @Test("a wrong token is 401 Unauthorized, a malformed one 404, with HTTP status equal to error_code")
    func tokens() async throws {
        try await withTelegram { server, _ in
            let wrong = try await BotClient(server, token: "123456789:AAE-other").call("getMe")
            #expect(wrong.status == 401)
            #expect(wrong.errorCode == 401)
            #expect(wrong.ok == false)
            #expect(wrong.description == "Unauthorized")
            #expect(wrong.parameters == nil)
            let malformed = try await BotClient(server, token: "not-a-token").call("getMe")
            #expect(malformed.status == 404)
            #expect(malformed.description == "Not Found")
            let path = try await TelegramTestHTTP.send(to: server.baseURL, "GET", "/getMe")
            #expect(path.status == 404)
            #expect(path.errorCode == 404)
            #expect(server.calls().map(\.statusCode) == [401, 404, 404])
        }
    }

    @Test("an unknown method is 404 \"Not Found: method not found\"")
    func unknownMethod() async throws {
        try await withTelegram { _, bot in
            let response = try await bot.call("sendTelepathy", ["chat_id": 1])
            #expect(response.status == 404)
            #expect(response.errorCode == 404)
            #expect(response.description == "Not Found: method not found")
        }
    }

    @Test("JSON, form and query parameters are equivalent; form reply_markup is a JSON string, recorded decoded")
    func encodings() async throws {
        try await withTelegram { server, bot in
            server.addChat(Cast.aliceChat)
            let markup = Cast.keyboard("Approve", data: "approve:1")
            let viaJSON = try await bot.send(Cast.alice.id, "<b>hi</b>", markup: markup)
            let viaForm = try await bot.form(
                "sendMessage",
                [
                    ("chat_id", "1001"), ("text", "<b>hi</b>"), ("parse_mode", "HTML"),
                    ("reply_markup", markup.json),
                ]
            )
            let viaQuery = try await bot.query(
                "sendMessage",
                [("chat_id", "1001"), ("text", "<b>hi</b>"), ("parse_mode", "HTML"), ("reply_markup", markup.json)]
            )
            for response in [viaJSON, viaForm, viaQuery] {
                #expect(response.status == 200)
                #expect(response.result?["text"] == "hi")
                #expect(response.result?["reply_markup"] == markup)
                #expect(response.result?["chat"]?["id"] == .integer(1001))
                #expect(response.result?["entities"]?[0]?["type"] == "bold")
            }
            let calls = server.calls("sendMessage")
            #expect(calls.count == 3)
            #expect(calls.allSatisfy { $0["reply_markup"] == markup })
            #expect(calls.allSatisfy { $0["chat_id"]?.int64Value == 1001 })
            #expect(calls.allSatisfy { $0.succeeded })
            #expect(calls[1]["chat_id"] == "1001")
            #expect(server.botMessages(in: Cast.alice.id).map(\.messageID) == [1, 2, 3])
        }
    }

    @Test("null JSON members count as absent, as an encoder writes them for unset optionals")
    func nullParameters() async throws {
        try await withTelegram { server, bot in
            server.addChat(Cast.aliceChat)
            let response = try await bot.call(
                "sendMessage",
                ["chat_id": 1001, "text": "a & b", "parse_mode": .null, "reply_markup": .null]
            )
            #expect(response.status == 200)
            #expect(response.result?["text"] == "a & b")
            #expect(server.calls("sendMessage").first?["reply_markup"] == nil)
        }
    }

    @Test("a body that is not a JSON object is 400")
    func badJSON() async throws {
        try await withTelegram { server, _ in
            let response = try await TelegramTestHTTP.send(
                to: server.baseURL,
                "POST",
                "/bot\(Cast.token)/getMe",
                headers: [("Content-Type", "application/json")],
                body: "{\"chat_id\": "
            )
            #expect(response.status == 400)
            #expect(response.description == "Bad Request: can't parse JSON object")
        }
    }

    @Test("calls record parameters, time and outcome, success or failure")
    func callRecord() async throws {
        try await withTelegram { server, bot in
            let before = Date()
            _ = try await bot.call("sendMessage", ["chat_id": 42, "text": "x"])
            let call = try #require(server.calls("sendMessage").first)
            #expect(call.method == "sendMessage")
            #expect(call["text"] == "x")
            #expect(call.time >= before.addingTimeInterval(-1))
            #expect(call.outcome == .failure(code: 400, description: "Bad Request: chat not found"))
            #expect(call.errorDescription == "Bad Request: chat not found")
            #expect(call.result == nil)
            _ = try await bot.call("getMe")
            #expect(server.calls("getMe").first?.result?["is_bot"] == .bool(true))
        }
    }
}
