import Foundation
import TelegramAPIClient
import Testing

/// Each method's JSON body, key for key: snake_case names, omitted defaults, and the reply markup shapes.
@Suite struct RequestEncodingTests {
    let transport = ScriptedBotTransport()
    var client: TelegramClient { .scripted(transport) }

    init() {
        transport.on("getMe", .ok(Samples.getMe))
        transport.on("sendMessage", .ok(Samples.sentMessage))
        transport.on("editMessageText", .ok(Samples.sentMessage))
        transport.on("editMessageReplyMarkup", .ok(Samples.sentMessage))
        transport.on("getChatMember", .ok(Samples.administrator))
        transport.on("getUpdates", .ok("[]"))
        for method in ["deleteWebhook", "answerCallbackQuery", "deleteMessage", "setMyCommands"] {
            transport.on(method, .ok("true"))
        }
    }

    func lastCall(_ method: String) throws -> ScriptedBotTransport.Call {
        let call = try #require(transport.calls.last)
        #expect(call.method == method)
        return call
    }

    @Test func getMeSendsAnEmptyObject() async throws {
        _ = try await client.getMe()
        let call = try lastCall("getMe")
        #expect(call.body == "{}")
        #expect(call.timeout == .seconds(15))
    }

    @Test func deleteWebhook() async throws {
        try await client.deleteWebhook(dropPendingUpdates: true)
        #expect(try lastCall("deleteWebhook").body == #"{"drop_pending_updates":true}"#)
        try await client.deleteWebhook()
        #expect(try lastCall("deleteWebhook").body == #"{"drop_pending_updates":false}"#)
    }

    @Test func getUpdatesWithLongPollDeadline() async throws {
        _ = try await client.getUpdates(
            offset: 100_000_011,
            limit: 50,
            timeout: .seconds(30),
            allowedUpdates: Update.decodableKinds
        )
        let call = try lastCall("getUpdates")
        #expect(
            call.body
                == #"{"allowed_updates":["message","edited_message","callback_query","my_chat_member","chat_member"],"#
                + #""limit":50,"offset":100000011,"timeout":30}"#
        )
        #expect(call.timeout == .seconds(45))
        _ = try await client.getUpdates()
        let plain = try lastCall("getUpdates")
        #expect(plain.body == #"{"timeout":25}"#)
        #expect(plain.timeout == .seconds(40))
    }

    @Test func sendMessageWithInlineKeyboard() async throws {
        let message = try await client.sendMessage(
            chatID: -1_001_234_567_890,
            text: "<b>New key</b> from @alice",
            parseMode: .html,
            replyMarkup: .inlineKeyboard(
                InlineKeyboardMarkup([
                    [.callback("Approve", data: "approve:42"), .callback("Reject", data: "reject:42")]
                ])
            )
        )
        #expect(message.messageID == 501)
        #expect(
            try lastCall("sendMessage").body
                == #"{"chat_id":-1001234567890,"parse_mode":"HTML","reply_markup":{"inline_keyboard":[["#
                + #"{"callback_data":"approve:42","text":"Approve"},{"callback_data":"reject:42","text":"Reject"}]]},"#
                + #""text":"<b>New key</b> from @alice"}"#
        )
    }

    @Test func sendMessageWithForceReplyAsAReplySilently() async throws {
        _ = try await client.sendMessage(
            chatID: -1_001_234_567_890,
            text: "Send the reason",
            replyMarkup: .forceReply(ForceReply(inputFieldPlaceholder: "Reason", selective: true)),
            replyToMessageID: 77,
            disableNotification: true
        )
        #expect(
            try lastCall("sendMessage").body
                == #"{"chat_id":-1001234567890,"disable_notification":true,"#
                + #""reply_markup":{"force_reply":true,"input_field_placeholder":"Reason","selective":true},"#
                + #""reply_parameters":{"allow_sending_without_reply":true,"message_id":77},"text":"Send the reason"}"#
        )
    }

    @Test func sendMessagePlainOmitsDefaults() async throws {
        _ = try await client.sendMessage(chatID: 123_456_789, text: "Hello")
        #expect(try lastCall("sendMessage").body == #"{"chat_id":123456789,"text":"Hello"}"#)
    }

    @Test func sendMessageURLButtonAndBareForceReply() async throws {
        _ = try await client.sendMessage(
            chatID: 1,
            text: "t",
            replyMarkup: .inlineKeyboard(InlineKeyboardMarkup([[.link("Open", url: "https://t.me/bot?start=add")]]))
        )
        #expect(
            try lastCall("sendMessage").body
                == #"{"chat_id":1,"reply_markup":{"inline_keyboard":[["#
                + #"{"text":"Open","url":"https://t.me/bot?start=add"}]]},"text":"t"}"#
        )
        _ = try await client.sendMessage(chatID: 1, text: "t", replyMarkup: .forceReply(ForceReply()))
        #expect(try lastCall("sendMessage").body == #"{"chat_id":1,"reply_markup":{"force_reply":true},"text":"t"}"#)
    }

    @Test func editMessageText() async throws {
        _ = try await client.editMessageText(
            chatID: -1_001_234_567_890,
            messageID: 78,
            text: "Approved by Bob",
            parseMode: .html
        )
        #expect(
            try lastCall("editMessageText").body
                == #"{"chat_id":-1001234567890,"message_id":78,"parse_mode":"HTML","text":"Approved by Bob"}"#
        )
        _ = try await client.editMessageText(
            chatID: 1,
            messageID: 2,
            text: "x",
            replyMarkup: InlineKeyboardMarkup([[.callback("Delete", data: "del:1")]])
        )
        #expect(
            try lastCall("editMessageText").body
                == #"{"chat_id":1,"message_id":2,"reply_markup":{"inline_keyboard":[["#
                + #"{"callback_data":"del:1","text":"Delete"}]]},"text":"x"}"#
        )
    }

    @Test func editMessageReplyMarkupRemovesByOmission() async throws {
        _ = try await client.editMessageReplyMarkup(chatID: 1, messageID: 2)
        #expect(try lastCall("editMessageReplyMarkup").body == #"{"chat_id":1,"message_id":2}"#)
        _ = try await client.editMessageReplyMarkup(chatID: 1, messageID: 2, replyMarkup: InlineKeyboardMarkup([]))
        #expect(
            try lastCall("editMessageReplyMarkup").body
                == #"{"chat_id":1,"message_id":2,"reply_markup":{"inline_keyboard":[]}}"#
        )
    }

    @Test func answerCallbackQuery() async throws {
        try await client.answerCallbackQuery(id: "4382bfdwdsb323b2d9")
        #expect(try lastCall("answerCallbackQuery").body == #"{"callback_query_id":"4382bfdwdsb323b2d9"}"#)
        try await client.answerCallbackQuery(id: "q", text: "Only admins can decide", showAlert: true)
        #expect(
            try lastCall("answerCallbackQuery").body
                == #"{"callback_query_id":"q","show_alert":true,"text":"Only admins can decide"}"#
        )
    }

    @Test func deleteMessageAndGetChatMember() async throws {
        try await client.deleteMessage(chatID: 123_456_789, messageID: 14)
        #expect(try lastCall("deleteMessage").body == #"{"chat_id":123456789,"message_id":14}"#)
        _ = try await client.getChatMember(chatID: -1_001_234_567_890, userID: 987_654_321)
        #expect(try lastCall("getChatMember").body == #"{"chat_id":-1001234567890,"user_id":987654321}"#)
    }

    @Test func setMyCommands() async throws {
        try await client.setMyCommands(
            [BotCommand("pending", description: "List open requests")],
            scope: .chatAdministrators(-1_001_234_567_890),
            languageCode: "ru"
        )
        #expect(
            try lastCall("setMyCommands").body
                == #"{"commands":[{"command":"pending","description":"List open requests"}],"language_code":"ru","#
                + #""scope":{"chat_id":-1001234567890,"type":"chat_administrators"}}"#
        )
        try await client.setMyCommands([BotCommand("add", description: "Add an exchange key")])
        #expect(
            try lastCall("setMyCommands").body
                == #"{"commands":[{"command":"add","description":"Add an exchange key"}]}"#
        )
    }

    @Test(
        arguments: [
            (BotCommandScope.default, #"{"type":"default"}"#),
            (.allPrivateChats, #"{"type":"all_private_chats"}"#),
            (.allGroupChats, #"{"type":"all_group_chats"}"#),
            (.allChatAdministrators, #"{"type":"all_chat_administrators"}"#),
            (.chat(-100_123), #"{"chat_id":-100123,"type":"chat"}"#),
            (.chatAdministrators(-100_123), #"{"chat_id":-100123,"type":"chat_administrators"}"#),
        ]
    )
    func commandScopes(scope: BotCommandScope, json: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(scope), as: UTF8.self) == json)
        #expect(try JSONDecoder().decode(BotCommandScope.self, from: Data(json.utf8)) == scope)
    }

    @Test func replyMarkupDecodesEitherShape() throws {
        let keyboard = try JSONDecoder().decode(
            ReplyMarkup.self,
            from: Data(#"{"inline_keyboard":[[{"text":"A","callback_data":"a"}]]}"#.utf8)
        )
        #expect(keyboard == .inlineKeyboard(InlineKeyboardMarkup([[.callback("A", data: "a")]])))
        let forceReply = try JSONDecoder().decode(
            ReplyMarkup.self,
            from: Data(#"{"force_reply":true,"input_field_placeholder":"Reason"}"#.utf8)
        )
        #expect(forceReply == .forceReply(ForceReply(inputFieldPlaceholder: "Reason")))
    }
}
