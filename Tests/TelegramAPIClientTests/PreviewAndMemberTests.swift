import Foundation
import TelegramAPIClient
import Testing

/// The client's side of issue 9: link previews can be switched off, `chat_member` updates are read, and an
/// administrator's rights are known.
@Suite struct PreviewAndMemberTests {
    @Test func linkPreviewsCanBeSwitchedOff() async throws {
        let transport = ScriptedBotTransport()
        transport.on("sendMessage", .ok(Samples.sentMessage))
        transport.on("editMessageText", .ok(Samples.sentMessage))
        let client = TelegramClient.scripted(transport)
        _ = try await client.sendMessage(chatID: 1, text: "see https://example.com", disableLinkPreview: true)
        _ = try await client.editMessageText(chatID: 1, messageID: 2, text: "x", disableLinkPreview: true)
        _ = try await client.sendMessage(chatID: 1, text: "plain")
        let bodies = transport.calls.map(\.body)
        #expect(bodies.count == 3)
        #expect(bodies[0].contains(#""link_preview_options":{"is_disabled":true}"#))
        #expect(bodies[1].contains(#""link_preview_options":{"is_disabled":true}"#))
        #expect(!bodies[2].contains("link_preview_options"), "left out unless asked for")
    }

    @Test func aChatMemberUpdateIsRead() throws {
        let json = #"""
            {"update_id": 100000050, "chat_member": {
                "chat": {"id": -1001234567890, "type": "supergroup", "title": "Admins"},
                "from": \#(Samples.admin), "date": 1718000000,
                "old_chat_member": {"user": {"id": 42, "is_bot": false, "first_name": "Eve"},
                    "status": "administrator", "can_be_edited": true, "is_anonymous": false,
                    "can_manage_chat": true, "can_delete_messages": true},
                "new_chat_member": {"user": {"id": 42, "is_bot": false, "first_name": "Eve"}, "status": "member"}
            }}
            """#
        let update = try JSONDecoder().decode(Update.self, from: Data(json.utf8))
        guard case .chatMember(let change) = update.kind else {
            Issue.record("expected chat_member, got \(update.kind)")
            return
        }
        #expect(change.newChatMember.user.id == 42 && change.newChatMember.status == .member)
        #expect(change.oldChatMember.runsTheChat && !change.newChatMember.runsTheChat)
        #expect(update.chat?.id == -1_001_234_567_890)
        #expect(Update.decodableKinds.contains("chat_member"))
        // Written back as read (the bot stores updates before handling them).
        let again = try JSONDecoder().decode(Update.self, from: JSONEncoder().encode(update))
        #expect(again == update)
    }

    /// An "administrator" with no right to manage the chat or delete messages is an administrator in name only.
    @Test(arguments: [
        (#"{"status": "creator", "is_anonymous": false}"#, true),
        (#"{"status": "administrator", "can_manage_chat": true, "can_delete_messages": false}"#, true),
        (#"{"status": "administrator", "can_manage_chat": false, "can_delete_messages": true}"#, true),
        (#"{"status": "administrator", "can_manage_chat": false, "can_delete_messages": false}"#, false),
        (#"{"status": "administrator"}"#, false),
        (#"{"status": "member"}"#, false),
    ])
    func administratorsWhoRunTheChat(fields: String, runs: Bool) throws {
        let json = String(fields.dropLast()) + #", "user": {"id": 5, "is_bot": false, "first_name": "A"}}"#
        let member = try JSONDecoder().decode(ChatMember.self, from: Data(json.utf8))
        #expect(member.runsTheChat == runs)
    }
}
