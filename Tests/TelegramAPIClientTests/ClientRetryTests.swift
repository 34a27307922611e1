import TelegramAPIClient
import Testing

/// The client following the retry policy against scripted answers, with the waits recorded instead of slept.
@Suite struct ClientRetryTests {
    let transport = ScriptedBotTransport()
    let sleeper = SleepRecorder()
    var client: TelegramClient { .scripted(transport, sleeper: sleeper, jitter: 0.5) }

    @Test func floodControlIsWaitedOutThenTheSendGoesThrough() async throws {
        transport.on(
            "sendMessage",
            .error(429, "Too Many Requests: retry after 3", parameters: #"{"retry_after":3}"#),
            .ok(Samples.sentMessage)
        )
        let message = try await client.sendMessage(chatID: 123_456_789, text: "Hello")
        #expect(message == SentMessage(messageID: 501, chatID: 123_456_789))
        #expect(sleeper.waits == [.seconds(3)])
        #expect(transport.calls.count == 2)
        #expect(transport.calls[0].body == transport.calls[1].body)
    }

    @Test func aSendWithUnknownOutcomeIsNotRepeated() async {
        transport.on("sendMessage", .fail(.outcomeUnknown("read timeout")), .ok(Samples.sentMessage))
        await #expect(throws: TelegramError.transport(.outcomeUnknown("read timeout"))) {
            try await client.sendMessage(chatID: 123_456_789, text: "Hello")
        }
        #expect(transport.calls.count == 1)
        #expect(sleeper.waits.isEmpty)
    }

    @Test func aSendThatNeverConnectedIsRepeatedWithBackoff() async throws {
        transport.on(
            "sendMessage",
            .fail(.connectFailed("connection refused")),
            .fail(.connectFailed("connection refused")),
            .ok(Samples.sentMessage)
        )
        _ = try await client.sendMessage(chatID: 123_456_789, text: "Hello")
        #expect(transport.calls.count == 3)
        #expect(sleeper.waits == [.milliseconds(250), .milliseconds(500)])
    }

    @Test func aSendBehindAFailingProxyIsNotRepeated() async {
        transport.on("sendMessage", .answer(status: 504, body: "Gateway Timeout"), .ok(Samples.sentMessage))
        await #expect(throws: TelegramError.server(status: 504)) {
            try await client.sendMessage(chatID: 1, text: "Hello")
        }
        #expect(transport.calls.count == 1)
    }

    @Test func anEditWithUnknownOutcomeIsRepeatedAndItsEchoIsSuccess() async throws {
        transport.on(
            "editMessageText",
            .fail(.outcomeUnknown("connection reset")),
            .error(400, ErrorDecodingTests.notModified)
        )
        let outcome = try await client.editMessageTextIfChanged(chatID: 1, messageID: 2, text: "Approved")
        #expect(outcome == .unchanged)
        #expect(transport.calls.count == 2)
        #expect(sleeper.waits == [.milliseconds(250)])
    }

    @Test func editIfChangedReturnsTheEditedMessage() async throws {
        transport.on("editMessageText", .ok(Samples.sentMessage))
        guard
            case .edited(let message) = try await client.editMessageTextIfChanged(chatID: 1, messageID: 501, text: "x")
        else {
            Issue.record("expected an edit")
            return
        }
        #expect(message.messageID == 501)
    }

    @Test func markupEditIfChanged() async throws {
        transport.on("editMessageReplyMarkup", .error(400, ErrorDecodingTests.notModified), .ok(Samples.sentMessage))
        #expect(try await client.editMessageReplyMarkupIfChanged(chatID: 1, messageID: 2) == .unchanged)
        #expect(try await client.editMessageReplyMarkupIfChanged(chatID: 1, messageID: 2) != .unchanged)
    }

    @Test func otherEditErrorsStillThrow() async {
        transport.on("editMessageText", .error(400, "Bad Request: message to edit not found"))
        await #expect(throws: TelegramError.badRequest("Bad Request: message to edit not found")) {
            try await client.editMessageTextIfChanged(chatID: 1, messageID: 2, text: "x")
        }
    }

    @Test func deleteIfExists() async throws {
        transport.on(
            "deleteMessage",
            .ok("true"),
            .error(400, "Bad Request: message to delete not found"),
            .error(400, "Bad Request: message can't be deleted")
        )
        #expect(try await client.deleteMessageIfExists(chatID: 1, messageID: 2) == .deleted)
        #expect(try await client.deleteMessageIfExists(chatID: 1, messageID: 2) == .alreadyGone)
        await #expect(throws: TelegramError.badRequest("Bad Request: message can't be deleted")) {
            try await client.deleteMessageIfExists(chatID: 1, messageID: 2)
        }
    }

    @Test func pollingGivesUpAfterMaxAttempts() async {
        transport.on("getUpdates", .answer(status: 502, body: "Bad Gateway"))
        await #expect(throws: TelegramError.server(status: 502)) { try await client.getUpdates() }
        #expect(transport.calls.count == 5)
        #expect(sleeper.waits == [.milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2)])
    }

    @Test func pollingRepeatsAfterATimeout() async throws {
        transport.on("getUpdates", .fail(.outcomeUnknown("deadline exceeded")), .ok("[\(Samples.privateMessage)]"))
        let updates = try await client.getUpdates(offset: 5, timeout: .seconds(50))
        #expect(updates.count == 1)
        #expect(transport.calls.map(\.timeout) == [.seconds(65), .seconds(65)])
    }

    @Test func conflictIsLeftToThePoller() async {
        transport.on(
            "getUpdates",
            .error(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
            )
        )
        await #expect {
            try await client.getUpdates()
        } throws: { error in
            guard case .conflict = error as? TelegramError else { return false }
            return true
        }
        #expect(transport.calls.count == 1)
        #expect(sleeper.waits.isEmpty)
    }

    @Test func idempotentCallsRepeatAfterUnknownOutcomes() async throws {
        for method in ["answerCallbackQuery", "deleteMessage", "setMyCommands", "deleteWebhook"] {
            transport.on(method, .fail(.outcomeUnknown("reset")), .ok("true"))
        }
        transport.on("getChatMember", .fail(.outcomeUnknown("reset")), .ok(Samples.administrator))
        transport.on("editMessageReplyMarkup", .fail(.outcomeUnknown("reset")), .ok(Samples.sentMessage))
        transport.on("getMe", .fail(.outcomeUnknown("reset")), .ok(Samples.getMe))
        try await client.answerCallbackQuery(id: "q")
        try await client.deleteMessage(chatID: 1, messageID: 2)
        try await client.setMyCommands([])
        try await client.deleteWebhook()
        _ = try await client.getChatMember(chatID: 1, userID: 2)
        _ = try await client.editMessageReplyMarkup(chatID: 1, messageID: 2)
        _ = try await client.getMe()
        #expect(transport.calls.count == 14)
    }

    @Test func cancellationDuringAWaitEndsTheCallWithTheLastError() async {
        let cancelling = SleepRecorder(cancelling: true)
        transport.on("getUpdates", .answer(status: 500, body: "restart"), .ok("[]"))
        let client = TelegramClient.scripted(transport, sleeper: cancelling)
        await #expect(throws: TelegramError.server(status: 500)) { try await client.getUpdates() }
        #expect(transport.calls.count == 1)
        #expect(cancelling.waits.count == 1)
    }

    @Test func cancelledTransportIsNotRetried() async {
        transport.on("getUpdates", .fail(.cancelled))
        await #expect(throws: TelegramError.transport(.cancelled)) { try await client.getUpdates() }
        #expect(transport.calls.count == 1)
    }
}
