import Foundation
import TestSupport
import Testing

/// Message ids, edits, deletion, chat members and command menus.
@Suite("Messages and chats")
struct MessageTests {
    @Test("message ids increase per chat, shared by the users' and the bot's messages")
    func messageIDs() async throws {
        try await withTelegram { server, bot in
            #expect(server.sendUserMessage(from: Cast.alice, chat: Cast.aliceChat, text: "/start") == 1)
            let first = try await bot.send(Cast.alice.id, "Welcome")
            #expect(first.result?["message_id"] == 2)
            #expect(first.result?["from"]?["is_bot"] == .bool(true))
            #expect(first.result?["chat"]?["type"] == "private")
            #expect(server.sendUserMessage(from: Cast.boris, chat: Cast.borisChat, text: "/start") == 1)
            #expect(server.sendUserMessage(from: Cast.alice, chat: Cast.aliceChat, text: "hi") == 3)
            let second = try await bot.send(Cast.alice.id, "Again")
            #expect(second.result?["message_id"] == 4)
            let messages = server.messages(in: Cast.alice.id)
            #expect(messages.map(\.messageID) == [1, 2, 3, 4])
            #expect(messages.map(\.isOutgoing) == [false, true, false, true])
            #expect(server.botMessages(in: Cast.alice.id).map(\.text) == ["Welcome", "Again"])
        }
    }

    @Test("a reply carries reply_to_message, both ways")
    func replies() async throws {
        try await withTelegram { server, bot in
            server.addChat(Cast.adminGroup)
            let ask = try await bot.send(Cast.adminGroup.id, "Reason?", markup: ["force_reply": true])
            let askID = try #require(ask.result?["message_id"]?.intValue)
            let replyID = server.sendUserMessage(
                from: Cast.admin,
                chat: Cast.adminGroup,
                text: "wrong key",
                replyTo: askID
            )
            let updates = try await bot.call("getUpdates")
            let message = updates.result?[0]?["message"]
            #expect(message?["reply_to_message"]?["message_id"] == .integer(Int64(askID)))
            #expect(message?["reply_to_message"]?["text"] == "Reason?")
            #expect(message?["chat"]?["type"] == "supergroup")
            let answer = try await bot.call(
                "sendMessage",
                [
                    "chat_id": .integer(Cast.adminGroup.id), "text": "Noted",
                    "reply_parameters": ["message_id": .integer(Int64(replyID))],
                ]
            )
            #expect(answer.result?["reply_to_message"]?["text"] == "wrong key")
            let missing = try await bot.call(
                "sendMessage",
                ["chat_id": .integer(Cast.adminGroup.id), "text": "x", "reply_to_message_id": 999]
            )
            #expect(missing.description == "Bad Request: message to be replied not found")
        }
    }

    @Test("editMessageText changes text and keyboard, keeps history; identical content is \"not modified\"")
    func editText() async throws {
        try await withTelegram { server, bot in
            server.addChat(Cast.adminGroup)
            let sent = try await bot.send(
                Cast.adminGroup.id,
                "<b>Request</b> #1",
                markup: Cast.keyboard("Approve", data: "approve:1")
            )
            let id = try #require(sent.result?["message_id"])
            let edited = try await bot.call(
                "editMessageText",
                [
                    "chat_id": .integer(Cast.adminGroup.id), "message_id": id, "text": "<b>Request</b> #1 approved",
                    "parse_mode": "HTML",
                ]
            )
            #expect(edited.status == 200)
            #expect(edited.result?["text"] == "Request #1 approved")
            #expect(edited.result?["reply_markup"] == nil, "an edit without reply_markup removes the keyboard")
            #expect(edited.result?["edit_date"] != nil)
            let same = try await bot.call(
                "editMessageText",
                [
                    "chat_id": .integer(Cast.adminGroup.id), "message_id": id, "text": "<b>Request</b> #1 approved",
                    "parse_mode": "HTML",
                ]
            )
            #expect(same.status == 400)
            #expect(
                same.description
                    == "Bad Request: message is not modified: specified new message content and reply markup are "
                    + "exactly the same as a current content and reply markup of the message"
            )
            let message = try #require(server.message(in: Cast.adminGroup.id, id: 1))
            #expect(message.text == "Request #1 approved")
            #expect(message.editHistory.map(\.text) == ["Request #1"])
            #expect(message.editHistory.first?.replyMarkup == Cast.keyboard("Approve", data: "approve:1"))
            #expect(message.inlineKeyboard.isEmpty)
            #expect(message.versions.map(\.method) == ["sendMessage", "editMessageText"])
            let badHTML = try await bot.call(
                "editMessageText",
                ["chat_id": .integer(Cast.adminGroup.id), "message_id": id, "text": "<x>", "parse_mode": "HTML"]
            )
            #expect(badHTML.description?.hasPrefix("Bad Request: can't parse entities:") == true)
            let badData = try await bot.call(
                "editMessageText",
                [
                    "chat_id": .integer(Cast.adminGroup.id), "message_id": id, "text": "y",
                    "reply_markup": Cast.keyboard("Go", data: String(repeating: "x", count: 65)),
                ]
            )
            #expect(badData.description == "Bad Request: BUTTON_DATA_INVALID")
        }
    }

    @Test("editMessageReplyMarkup removes or replaces the keyboard; the same keyboard is \"not modified\"")
    func editMarkup() async throws {
        try await withTelegram { server, bot in
            server.addChat(Cast.aliceChat)
            let keyboard = Cast.keyboard("Delete", data: "delete:7")
            let sent = try await bot.send(Cast.alice.id, "Your key", markup: keyboard)
            let id = try #require(sent.result?["message_id"])
            let same = try await bot.call(
                "editMessageReplyMarkup",
                ["chat_id": .integer(Cast.alice.id), "message_id": id, "reply_markup": keyboard]
            )
            #expect(same.description?.hasPrefix("Bad Request: message is not modified:") == true)
            let other = Cast.keyboard("Confirm", data: "delete:7:yes")
            let replaced = try await bot.call(
                "editMessageReplyMarkup",
                ["chat_id": .integer(Cast.alice.id), "message_id": id, "reply_markup": other]
            )
            #expect(replaced.result?["reply_markup"] == other)
            let removed = try await bot.call(
                "editMessageReplyMarkup",
                ["chat_id": .integer(Cast.alice.id), "message_id": id]
            )
            #expect(removed.status == 200)
            #expect(removed.result?["reply_markup"] == nil)
            let again = try await bot.call(
                "editMessageReplyMarkup",
                ["chat_id": .integer(Cast.alice.id), "message_id": id]
            )
            #expect(again.description?.hasPrefix("Bad Request: message is not modified:") == true)
            let force = try await bot.call(
                "editMessageReplyMarkup",
                ["chat_id": .integer(Cast.alice.id), "message_id": id, "reply_markup": ["force_reply": true]]
            )
            #expect(force.status == 400, "edits take inline keyboards only")
            let message = try #require(server.message(in: Cast.alice.id, id: 1))
            #expect(message.text == "Your key")
            #expect(message.versions.count == 3)
            #expect(message.editHistory.map { $0.replyMarkup } == [keyboard, other])
        }
    }

    @Test("editing an unknown or deleted message is \"message to edit not found\"")
    func editMissing() async throws {
        try await withTelegram { server, bot in
            server.addChat(Cast.aliceChat)
            let unknown = try await bot.call(
                "editMessageText",
                ["chat_id": .integer(Cast.alice.id), "message_id": 5, "text": "x"]
            )
            #expect(unknown.status == 400)
            #expect(unknown.description == "Bad Request: message to edit not found")
            let userMessage = server.sendUserMessage(from: Cast.alice, chat: Cast.aliceChat, text: "mine")
            let notOurs = try await bot.call(
                "editMessageText",
                ["chat_id": .integer(Cast.alice.id), "message_id": .integer(Int64(userMessage)), "text": "x"]
            )
            #expect(notOurs.description == "Bad Request: message can't be edited")
            let unknownChat = try await bot.call("editMessageText", ["chat_id": 5, "message_id": 1, "text": "x"])
            #expect(unknownChat.description == "Bad Request: chat not found")
        }
    }

    @Test("deleteMessage deletes once, then \"message to delete not found\"; the message stays, flagged")
    func delete() async throws {
        try await withTelegram { server, bot in
            let secret = server.sendUserMessage(from: Cast.alice, chat: Cast.aliceChat, text: "my-api-secret")
            let first = try await bot.call(
                "deleteMessage",
                ["chat_id": .integer(Cast.alice.id), "message_id": .integer(Int64(secret))]
            )
            #expect(first.status == 200)
            #expect(first.result == .bool(true))
            let second = try await bot.call(
                "deleteMessage",
                ["chat_id": .integer(Cast.alice.id), "message_id": .integer(Int64(secret))]
            )
            #expect(second.status == 400)
            #expect(second.description == "Bad Request: message to delete not found")
            #expect(server.message(in: Cast.alice.id, id: secret)?.isDeleted == true)
            let editDeleted = try await bot.call(
                "editMessageText",
                ["chat_id": .integer(Cast.alice.id), "message_id": .integer(Int64(secret)), "text": "x"]
            )
            #expect(editDeleted.description == "Bad Request: message to edit not found")
        }
    }

    @Test("in a group the bot deletes others' messages only as an administrator")
    func deleteInGroup() async throws {
        try await withTelegram { server, bot in
            let id = server.sendUserMessage(from: Cast.alice, chat: Cast.adminGroup, text: "key: abc")
            let parameters: FakeTelegramValue = [
                "chat_id": .integer(Cast.adminGroup.id), "message_id": .integer(Int64(id)),
            ]
            let refused = try await bot.call("deleteMessage", parameters)
            #expect(refused.description == "Bad Request: message can't be deleted")
            server.setMember(server.bot, in: Cast.adminGroup, status: .administrator)
            #expect(try await bot.call("deleteMessage", parameters).status == 200)
        }
    }

    @Test("getChatMember reports creator, administrator, member and left")
    func chatMembers() async throws {
        try await withTelegram { server, bot in
            server.setMember(Cast.admin, in: Cast.adminGroup, status: .creator)
            server.setMember(Cast.boris, in: Cast.adminGroup, status: .administrator)
            server.sendUserMessage(from: Cast.alice, chat: Cast.adminGroup, text: "hello")
            server.sendUserMessage(
                from: FakeUser(id: 1009, firstName: "Eve"),
                chat: FakeChat.privateChat(
                    with: FakeUser(id: 1009, firstName: "Eve")
                ),
                text: "hi"
            )
            func status(_ user: Int64) async throws -> TelegramTestResponse {
                try await bot.call(
                    "getChatMember",
                    ["chat_id": .integer(Cast.adminGroup.id), "user_id": .integer(user)]
                )
            }
            #expect(try await status(Cast.admin.id).result?["status"] == "creator")
            let admin = try await status(Cast.boris.id)
            #expect(admin.result?["status"] == "administrator")
            #expect(admin.result?["can_delete_messages"] == .bool(true))
            #expect(admin.result?["user"]?["username"] == "boris")
            #expect(try await status(Cast.alice.id).result?["status"] == "member")
            #expect(try await status(1009).result?["status"] == "left")
            #expect(try await status(424242).description == "Bad Request: user not found")
            server.setMember(Cast.alice, in: Cast.adminGroup, status: .left)
            #expect(try await status(Cast.alice.id).result?["status"] == "left")
            let unknownChat = try await bot.call("getChatMember", ["chat_id": -5, "user_id": 1001])
            #expect(unknownChat.description == "Bad Request: chat not found")
        }
    }

    @Test("setMyCommands records each scope and language; getMyCommands reads them back")
    func commands() async throws {
        try await withTelegram { server, bot in
            server.addChat(Cast.adminGroup)
            let userCommands: FakeTelegramValue = [
                ["command": "add", "description": "Add an exchange key"],
                ["command": "exchanges", "description": "Your keys"],
            ]
            #expect(
                try await bot.call(
                    "setMyCommands",
                    ["commands": userCommands, "scope": ["type": "all_private_chats"]]
                ).status == 200
            )
            #expect(
                try await bot.form(
                    "setMyCommands",
                    [
                        ("commands", "[{\"command\":\"add\",\"description\":\"Добавить ключ\"}]"),
                        ("scope", "{\"type\":\"all_private_chats\"}"), ("language_code", "ru"),
                    ]
                ).status == 200
            )
            #expect(
                try await bot.call(
                    "setMyCommands",
                    [
                        "commands": [["command": "pending", "description": "Open requests"]],
                        "scope": ["type": "chat", "chat_id": .integer(Cast.adminGroup.id)],
                    ]
                ).status == 200
            )
            let sets = server.commandSets()
            #expect(sets.count == 3)
            #expect(sets[0].scope == ["type": "all_private_chats"])
            #expect(sets[0].commands.map(\.command) == ["add", "exchanges"])
            #expect(sets[1].languageCode == "ru")
            #expect(sets[2].scope["chat_id"]?.int64Value == Cast.adminGroup.id)
            let read = try await bot.call("getMyCommands", ["scope": ["type": "all_private_chats"]])
            #expect(read.result?.arrayValue?.count == 2)
            let invalid = try await bot.call(
                "setMyCommands",
                ["commands": [["command": "Add-Key", "description": "x"]]]
            )
            #expect(invalid.description == "Bad Request: BOT_COMMAND_INVALID")
            #expect(server.commandSets().count == 3)
        }
    }

    @Test("sendChatAction needs a known chat and a known action")
    func chatAction() async throws {
        try await withTelegram { server, bot async throws in
            server.addChat(Cast.aliceChat)
            #expect(try await bot.call("sendChatAction", ["chat_id": 1001, "action": "typing"]).result == .bool(true))
            #expect(try await bot.call("sendChatAction", ["chat_id": 1001, "action": "dancing"]).status == 400)
            #expect(try await bot.call("sendChatAction", ["chat_id": 1, "action": "typing"]).status == 400)
        }
    }

    @Test("a migrated group answers 400 with migrate_to_chat_id; the supergroup works and both get service messages")
    func migration() async throws {
        try await withTelegram { server, bot in
            server.setMember(Cast.admin, in: Cast.basicGroup, status: .creator)
            let supergroup = server.migrateGroup(Cast.basicGroup, to: -1_009_999_000_001, by: Cast.admin)
            let old = try await bot.send(Cast.basicGroup.id, "x")
            #expect(old.status == 400)
            #expect(old.description == "Bad Request: group chat was upgraded to a supergroup chat")
            #expect(old.parameters?["migrate_to_chat_id"] == .integer(-1_009_999_000_001))
            #expect(try await bot.send(supergroup.id, "x").status == 200)
            let updates = try await bot.call("getUpdates").result?.arrayValue ?? []
            #expect(updates.count == 2)
            #expect(updates.first?["message"]?["migrate_to_chat_id"] == .integer(supergroup.id))
            #expect(updates.last?["message"]?["migrate_from_chat_id"] == .integer(Cast.basicGroup.id))
            let member = try await bot.call(
                "getChatMember",
                ["chat_id": .integer(supergroup.id), "user_id": .integer(Cast.admin.id)]
            )
            #expect(member.result?["status"] == "creator")
        }
    }
}
