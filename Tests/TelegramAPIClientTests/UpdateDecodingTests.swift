import Foundation
import TelegramAPIClient
import Testing

/// Updates as Telegram sends them, read into the typed models; unknown fields and kinds are normal.
@Suite struct UpdateDecodingTests {
    static func decode(_ json: String) throws -> Update {
        try JSONDecoder().decode(Update.self, from: Data(json.utf8))
    }

    @Test func privateMessage() throws {
        let update = try Self.decode(Samples.privateMessage)
        #expect(update.updateID == 100_000_001)
        let message = try #require(update.message)
        #expect(message.messageID == 12)
        #expect(message.text == "/add")
        #expect(message.date == 1_718_000_000)
        #expect(message.chat == Chat(id: 123_456_789, type: .private, username: "alice", firstName: "Alice"))
        #expect(
            message.from
                == User(
                    id: 123_456_789,
                    firstName: "Alice",
                    lastName: "Smith",
                    username: "alice",
                    languageCode: "ru"
                )
        )
        #expect(message.replyToMessage == nil)
        #expect(update.chat?.id == 123_456_789)
        #expect(update.from?.id == 123_456_789)
    }

    @Test func groupReplyKeepsOneLevelAndReadsKnownButtons() throws {
        let message = try #require(try Self.decode(Samples.groupReply).message)
        #expect(message.chat.type == .supergroup)
        #expect(message.chat.type.isGroup)
        #expect(message.chat.id == -1_001_234_567_890)
        #expect(message.chat.title == "Exchange admins")
        #expect(message.text == "IP whitelist missing")
        let reply = try #require(message.replyToMessage)
        #expect(reply.messageID == 340)
        #expect(reply.from?.isBot == true)
        #expect(reply.from?.username == "exchange_bot")
        #expect(reply.replyToMessage == nil)
        let buttons = try #require(reply.replyMarkup?.inlineKeyboard.first)
        #expect(buttons == [.link("Open", url: "https://t.me/exchange_bot"), InlineKeyboardButton(text: "App")])
    }

    @Test func callbackQueryWithInaccessibleMessage() throws {
        let query = try #require(try Self.decode(Samples.callbackInaccessible).callbackQuery)
        #expect(query.id == "4382bfdwdsb323b2d9")
        #expect(query.data == "approve:42")
        #expect(query.from.id == 987_654_321)
        #expect(query.chatInstance == "-8573451234567890123")
        let message = try #require(query.message)
        #expect(message.message == nil)
        #expect(message.messageID == 77)
        #expect(message.chat.id == -1_001_234_567_890)
        #expect(message == .inaccessible(chat: message.chat, messageID: 77))
    }

    @Test func callbackQueryWithAccessibleMessage() throws {
        let update = try Self.decode(Samples.callbackAccessible)
        let query = try #require(update.callbackQuery)
        let message = try #require(query.message?.message)
        #expect(message.messageID == 78)
        #expect(
            message.replyMarkup
                == InlineKeyboardMarkup([
                    [.callback("Approve", data: "approve:43"), .callback("Reject", data: "reject:43")]
                ])
        )
        #expect(update.chat?.id == -1_001_234_567_890)
        #expect(update.from?.id == 987_654_321)
    }

    @Test func myChatMemberBlockedInPrivate() throws {
        let update = try Self.decode(Samples.myChatMemberBlocked)
        guard case .myChatMember(let change) = update.kind else {
            Issue.record("expected my_chat_member, got \(update.kind)")
            return
        }
        #expect(change.oldChatMember.status == .member)
        #expect(change.newChatMember.status == .kicked)
        #expect(change.newChatMember.untilDate == 0)
        #expect(change.newChatMember.user.isBot)
        #expect(change.isBlockedByUser)
        #expect(!change.isUnblockedByUser)
    }

    @Test func unknownKindIsNamedNotFatal() throws {
        let update = try Self.decode(Samples.messageReaction)
        #expect(update.updateID == 100_000_006)
        #expect(update.kind == .unknown("message_reaction"))
        #expect(update.chat == nil)
    }

    @Test func migrationSignalsInBothChats() throws {
        let old = try #require(try Self.decode(Samples.groupMigrated).message)
        #expect(old.chat.type == .group)
        #expect(old.migrateToChatID == -1_001_987_654_321)
        let new = try #require(try Self.decode(Samples.supergroupFromMigration).message)
        #expect(new.migrateFromChatID == -4_001_234_567)
        #expect(new.chat.id == -1_001_987_654_321)
    }

    @Test func chatAndMemberStatusesFromLaterAPIVersionsDecode() throws {
        let chat = try JSONDecoder().decode(Chat.self, from: Data(#"{"id":5,"type":"direct_messages"}"#.utf8))
        #expect(chat.type == .other("direct_messages"))
        #expect(!chat.type.isGroup)
        let member = try JSONDecoder().decode(
            ChatMember.self,
            from: Data(#"{"status":"guest","user":{"id":1,"first_name":"A"}}"#.utf8)
        )
        #expect(member.status == .other("guest"))
        #expect(!member.isPresent)
    }

    @Test func encodingRoundTrips() throws {
        for sample in [
            Samples.privateMessage, Samples.groupReply, Samples.callbackInaccessible, Samples.callbackAccessible,
            Samples.myChatMemberBlocked, Samples.groupMigrated,
        ] {
            let update = try Self.decode(sample)
            let again = try JSONDecoder().decode(Update.self, from: JSONEncoder().encode(update))
            #expect(again == update)
        }
    }

    @Test func batchSurvivesBadElements() async throws {
        let transport = ScriptedBotTransport()
        transport.on(
            "getUpdates",
            .ok(
                """
                [\(Samples.privateMessage), \(Samples.malformedMessage), {"no_update_id": true}, 42,
                \(Samples.messageReaction), \(Samples.callbackInaccessible)]
                """
            )
        )
        let updates = try await TelegramClient.scripted(transport).getUpdates(offset: 100_000_001)
        #expect(updates.map(\.updateID) == [100_000_001, 100_000_010, 100_000_006, 100_000_003])
        guard case .undecodable(let reason) = updates[1].kind else {
            Issue.record("expected undecodable, got \(updates[1].kind)")
            return
        }
        #expect(reason.contains("message_id"))
        #expect(updates[2].kind == .unknown("message_reaction"))
        #expect(updates[3].callbackQuery?.data == "approve:42")
        #expect(transport.calls.count == 1)
    }

    @Test func emptyPoll() async throws {
        let transport = ScriptedBotTransport()
        transport.on("getUpdates", .ok("[]"))
        #expect(try await TelegramClient.scripted(transport).getUpdates().isEmpty)
    }

    @Test func getMeAndChatMember() async throws {
        let transport = ScriptedBotTransport()
        transport.on("getMe", .ok(Samples.getMe))
        transport.on("getChatMember", .ok(Samples.administrator), .ok(Samples.restrictedOutside))
        let client = TelegramClient.scripted(transport)
        let me = try await client.getMe()
        #expect(me.isBot && me.username == "exchange_bot" && me.id == 7_000_000_001)
        let admin = try await client.getChatMember(chatID: -1_001_234_567_890, userID: 987_654_321)
        #expect(admin.status == .administrator && admin.isAdministrator && admin.isPresent)
        let restricted = try await client.getChatMember(chatID: -1_001_234_567_890, userID: 987_654_321)
        #expect(restricted.status == .restricted && restricted.isMember == false)
        #expect(!restricted.isAdministrator && !restricted.isPresent)
    }
}
