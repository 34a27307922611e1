import Foundation
import TelegramAPIClient
import Testing

/// Telegram's error answers, with the exact descriptions the Bot API server source uses, read into typed errors.
@Suite struct ErrorDecodingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var reply: ScriptedBotTransport.Reply
        var expected: TelegramError
        var testDescription: String { "\(expected)" }
    }

    static let notModified =
        "Bad Request: message is not modified: specified new message content and reply markup are exactly the same "
        + "as a current content and reply markup of the message"

    static let cases: [Case] = [
        Case(
            reply: .error(429, "Too Many Requests: retry after 17", parameters: #"{"retry_after":17}"#),
            expected: .tooManyRequests(retryAfter: .seconds(17))
        ),
        Case(
            reply: .error(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                parameters: #"{"migrate_to_chat_id":-1001987654321}"#
            ),
            expected: .migrated(toChatID: -1_001_987_654_321)
        ),
        Case(
            reply: .error(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
            ),
            expected: .conflict(
                "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
            )
        ),
        Case(
            reply: .error(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
                    + "webhook first"
            ),
            expected: .conflict(
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
                    + "webhook first"
            )
        ),
        Case(
            reply: .error(403, "Forbidden: bot was blocked by the user"),
            expected: .forbidden(blockedByUser: true, description: "Forbidden: bot was blocked by the user")
        ),
        Case(
            reply: .error(403, "Forbidden: bot was kicked from the supergroup chat"),
            expected: .forbidden(
                blockedByUser: false,
                description: "Forbidden: bot was kicked from the supergroup chat"
            )
        ),
        Case(
            reply: .error(403, "Forbidden: bot can't initiate conversation with a user"),
            expected: .forbidden(
                blockedByUser: false,
                description: "Forbidden: bot can't initiate conversation with a user"
            )
        ),
        Case(reply: .error(400, notModified), expected: .badRequest(notModified)),
        Case(
            reply: .error(400, "Bad Request: message to delete not found"),
            expected: .badRequest("Bad Request: message to delete not found")
        ),
        Case(
            reply: .error(400, "Bad Request: message to edit not found"),
            expected: .badRequest("Bad Request: message to edit not found")
        ),
        Case(
            reply: .error(400, "Bad Request: query is too old and response timeout expired or query ID is invalid"),
            expected: .badRequest("Bad Request: query is too old and response timeout expired or query ID is invalid")
        ),
        Case(reply: .error(400, "Bad Request: chat not found"), expected: .badRequest("Bad Request: chat not found")),
        Case(
            reply: .error(400, "Bad Request: BUTTON_DATA_INVALID"),
            expected: .badRequest("Bad Request: BUTTON_DATA_INVALID")
        ),
        Case(reply: .error(401, "Unauthorized"), expected: .unauthorized),
        Case(reply: .error(404, "Not Found: method not found"), expected: .notFound),
        Case(reply: .answer(status: 404, body: "Not Found"), expected: .notFound),
        Case(reply: .error(500, "Internal Server Error: restart"), expected: .server(status: 500)),
        Case(
            reply: .answer(status: 502, body: "<html><body><h1>502 Bad Gateway</h1></body></html>"),
            expected: .server(status: 502)
        ),
        Case(
            reply: .answer(status: 413, body: "<html>Request Entity Too Large</html>"),
            expected: .badRequest("HTTP 413")
        ),
        Case(reply: .answer(status: 200, body: "<html>captive portal</html>"), expected: .malformedResponse),
        Case(reply: .answer(status: 200, body: #"{"ok":true,"result":"not a user"}"#), expected: .malformedResponse),
        Case(reply: .answer(status: 200, body: #"{"ok":true}"#), expected: .malformedResponse),
    ]

    @Test(arguments: cases)
    func decodesTo(_ testCase: Case) async {
        let transport = ScriptedBotTransport()
        transport.on("getMe", testCase.reply)
        let client = TelegramClient.scripted(transport, retryPolicy: .never)
        await #expect(throws: testCase.expected) { try await client.getMe() }
        #expect(transport.calls.count == 1)
    }

    @Test func helpersRecogniseTheDocumentedStrings() {
        #expect(TelegramError.badRequest(Self.notModified).isMessageNotModified)
        #expect(TelegramError.badRequest("Bad Request: message to delete not found").isMessageToDeleteNotFound)
        #expect(TelegramError.badRequest("Bad Request: message to edit not found").isMessageToEditNotFound)
        #expect(
            TelegramError.badRequest(
                "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
            .isQueryTooOld
        )
        #expect(TelegramError.forbidden(blockedByUser: true, description: "").isBlockedByUser)

        let unrelated: [TelegramError] = [
            .badRequest("Bad Request: chat not found"), .badRequest("Bad Request: message can't be deleted"),
            .forbidden(blockedByUser: false, description: "Forbidden: message is not modified"), .notFound,
            .server(status: 500),
        ]
        for error in unrelated {
            #expect(!error.isMessageNotModified && !error.isMessageToDeleteNotFound)
            #expect(!error.isMessageToEditNotFound && !error.isQueryTooOld && !error.isBlockedByUser)
        }
    }

    @Test func tooManyRequestsWithoutParametersStillReads() async {
        let transport = ScriptedBotTransport()
        transport.on("getMe", .answer(status: 429, body: "Too Many Requests"))
        let client = TelegramClient.scripted(transport, retryPolicy: .never)
        await #expect(throws: TelegramError.tooManyRequests(retryAfter: .zero)) { try await client.getMe() }
    }

    @Test func transportFailuresAreWrapped() async {
        let transport = ScriptedBotTransport()
        transport.on("getMe", .fail(.connectFailed("connection refused")))
        let client = TelegramClient.scripted(transport, retryPolicy: .never)
        await #expect(throws: TelegramError.transport(.connectFailed("connection refused"))) {
            try await client.getMe()
        }
    }
}
