import Foundation
import TestSupport
import Testing

/// What sendMessage and the edits refuse, with Telegram's texts: HTML, lengths, keyboards.
@Suite("Validation")
struct ValidationTests {
    private static let entityPrefix = "Bad Request: can't parse entities: "

    /// Sends `text` as HTML to Alice and returns the response.
    private func sendHTML(_ text: String, _ server: FakeTelegramServer, _ bot: BotClient) async throws
        -> TelegramTestResponse
    {
        server.addChat(Cast.aliceChat)
        return try await bot.send(Cast.alice.id, text)
    }

    @Test("nested supported tags parse into plain text and UTF-16 entities")
    func nestedTags() async throws {
        try await withTelegram { server, bot in
            let html =
                "<b>bold <i>both</i></b> <u>u</u><ins>i</ins> <s>s</s><strike>k</strike><del>d</del> "
                + "<span class=\"tg-spoiler\">sp</span><tg-spoiler>t</tg-spoiler> "
                + "<a href=\"https://x.io/?a=1&amp;b=2\">link</a> <code>c</code> "
                + "<pre><code class=\"language-swift\">let</code></pre> "
                + "<blockquote>q</blockquote> <strong>😀</strong><em>e</em>"
            let response = try await sendHTML(html, server, bot)
            #expect(response.status == 200)
            #expect(response.result?["text"] == "bold both ui skd spt link c let q 😀e")
            let entities = try #require(response.result?["entities"]?.arrayValue)
            let types = entities.compactMap { $0["type"]?.stringValue }
            #expect(types.filter { $0 == "bold" }.count == 2)
            #expect(types.contains("italic"))
            #expect(types.filter { $0 == "underline" }.count == 2)
            #expect(types.filter { $0 == "strikethrough" }.count == 3)
            #expect(types.filter { $0 == "spoiler" }.count == 2)
            #expect(types.contains("code"))
            #expect(types.contains("blockquote"))
            let bold = entities.first { $0["type"] == "bold" }
            #expect(bold?["offset"] == 0)
            #expect(bold?["length"] == 9)
            let link = entities.first { $0["type"] == "text_link" }
            #expect(link?["url"] == "https://x.io/?a=1&b=2")
            let pre = entities.first { $0["type"] == "pre" }
            #expect(pre?["language"] == "swift")
            let emoji = entities.last { $0["type"] == "bold" }
            #expect(emoji?["length"] == 2, "an emoji outside the BMP is two UTF-16 units")
            let stored = try #require(server.botMessages(in: Cast.alice.id).first)
            #expect(stored.rawText == html)
            #expect(stored.parseMode == "HTML")
            #expect(stored.text == "bold both ui skd spt link c let q 😀e")
        }
    }

    @Test("an unsupported tag is refused with its name and byte offset")
    func unsupportedTag() async throws {
        try await withTelegram { server, bot in
            let response = try await sendHTML("é <br> x", server, bot)
            #expect(response.status == 400)
            #expect(response.description == Self.entityPrefix + "Unsupported start tag \"br\" at byte offset 3")
            let tgEmoji = try await sendHTML("<tg-emoji emoji-id=\"1\">x</tg-emoji>", server, bot)
            #expect(tgEmoji.description == Self.entityPrefix + "Unsupported start tag \"tg-emoji\" at byte offset 0")
        }
    }

    @Test("an unclosed tag, a mismatched end tag and a stray end tag are refused")
    func unclosed() async throws {
        try await withTelegram { server, bot in
            let open = try await sendHTML("<b>bold", server, bot)
            #expect(open.status == 400)
            #expect(open.description == Self.entityPrefix + "Can't find end tag corresponding to start tag \"b\"")
            let crossed = try await sendHTML("<b><i>x</b></i>", server, bot)
            #expect(
                crossed.description
                    == Self.entityPrefix + "Unmatched end tag at byte offset 7, expected \"</i>\", found \"</b>\""
            )
            let stray = try await sendHTML("x</b>", server, bot)
            #expect(stray.description == Self.entityPrefix + "Unexpected end tag at byte offset 1")
            let cut = try await sendHTML("x <b", server, bot)
            #expect(cut.description == Self.entityPrefix + "Unclosed start tag at byte offset 2")
            let span = try await sendHTML("<span>x</span>", server, bot)
            #expect(
                span.description == Self.entityPrefix + "Tag \"span\" must have class \"tg-spoiler\" at byte offset 0"
            )
        }
    }

    @Test("a bare < and a bare & are refused; escaped ones pass")
    func bareCharacters() async throws {
        try await withTelegram { server, bot in
            let less = try await sendHTML("1 < 2", server, bot)
            #expect(less.status == 400)
            #expect(less.description == Self.entityPrefix + "Unsupported start tag \"\" at byte offset 2")
            let ampersand = try await sendHTML("AT&T", server, bot)
            #expect(ampersand.status == 400)
            #expect(ampersand.description?.hasPrefix(Self.entityPrefix + "Character '&' at byte offset 2") == true)
            let unknownEntity = try await sendHTML("a&nbsp;b", server, bot)
            #expect(unknownEntity.status == 400)
            let escaped = try await sendHTML("1 &lt; 2 &amp;&amp; 3 &gt; 2 &quot;q&quot; > ok", server, bot)
            #expect(escaped.status == 200)
            #expect(escaped.result?["text"] == "1 < 2 && 3 > 2 \"q\" > ok")
        }
    }

    @Test("a bare & passes when the fake is told to be as lenient as Telegram")
    func lenientAmpersand() async throws {
        try await withTelegram(options: FakeTelegramOptions(rejectsBareAmpersand: false)) { server, bot in
            let response = try await sendHTML("AT&T &amp; co", server, bot)
            #expect(response.status == 200)
            #expect(response.result?["text"] == "AT&T & co")
        }
    }

    @Test("numeric entities decode, decimal and hex; without ; they are not entities")
    func numericEntities() async throws {
        try await withTelegram { server, bot in
            let response = try await sendHTML("&#65;&#x42;&#X43;&#1046;&#x1F600;", server, bot)
            #expect(response.status == 200)
            #expect(response.result?["text"] == "ABCЖ😀")
            let unterminated = try await sendHTML("&#65 x", server, bot)
            #expect(unterminated.status == 400)
        }
    }

    @Test("text is 1–4096 characters counted after entity parsing")
    func textLength() async throws {
        try await withTelegram { server, bot in
            server.addChat(Cast.aliceChat)
            let plainMax = try await bot.send(Cast.alice.id, String(repeating: "a", count: 4096), html: false)
            #expect(plainMax.status == 200)
            let plainOver = try await bot.send(Cast.alice.id, String(repeating: "a", count: 4097), html: false)
            #expect(plainOver.status == 400)
            #expect(plainOver.description == "Bad Request: message is too long")
            let entitiesMax = try await bot.send(Cast.alice.id, String(repeating: "&lt;", count: 4096))
            #expect(entitiesMax.status == 200, "16384 bytes of HTML are 4096 characters after parsing")
            let entitiesOver = try await bot.send(
                Cast.alice.id,
                "<b>" + String(repeating: "&amp;", count: 4097) + "</b>"
            )
            #expect(entitiesOver.description == "Bad Request: message is too long")
            let cyrillic = try await bot.send(Cast.alice.id, String(repeating: "ж", count: 4096))
            #expect(cyrillic.status == 200, "characters, not bytes")
            let tagsOnly = try await bot.send(
                Cast.alice.id,
                String(repeating: "<b>", count: 2000) + "x"
                    + String(repeating: "</b>", count: 2000)
            )
            #expect(tagsOnly.status == 200, "tags do not count")
        }
    }

    @Test("empty text, whitespace and tags around nothing are \"message text is empty\"")
    func emptyText() async throws {
        try await withTelegram { server, bot in
            server.addChat(Cast.aliceChat)
            for text in ["", "   \n ", "<b></b>", "<i> </i>"] {
                let response = try await bot.send(Cast.alice.id, text)
                #expect(response.status == 400)
                #expect(response.description == "Bad Request: message text is empty", "for \(text.debugDescription)")
            }
            let missing = try await bot.call("sendMessage", ["chat_id": .integer(Cast.alice.id)])
            #expect(missing.description == "Bad Request: message text is empty")
            let unknownMode = try await bot.call(
                "sendMessage",
                ["chat_id": .integer(Cast.alice.id), "text": "x", "parse_mode": "BBCode"]
            )
            #expect(unknownMode.description == "Bad Request: unsupported parse_mode")
        }
    }

    @Test("callback_data is 1–64 bytes, not characters")
    func callbackData() async throws {
        try await withTelegram { server, bot in
            server.addChat(Cast.aliceChat)
            let cases: [(String, Bool)] = [
                (String(repeating: "a", count: 64), true),
                (String(repeating: "a", count: 65), false),
                (String(repeating: "ж", count: 32), true),
                (String(repeating: "ж", count: 33), false),
                ("a" + String(repeating: "ж", count: 32), false),
                (String(repeating: "😀", count: 16), true),
                ("", false),
            ]
            for (data, valid) in cases {
                let response = try await bot.send(Cast.alice.id, "pick", markup: Cast.keyboard("Go", data: data))
                #expect(response.status == (valid ? 200 : 400), "\(data.utf8.count) bytes")
                if !valid { #expect(response.description == "Bad Request: BUTTON_DATA_INVALID") }
            }
            let numeric = try await bot.send(
                Cast.alice.id,
                "pick",
                markup: ["inline_keyboard": [[["text": "Go", "callback_data": 5]]]]
            )
            #expect(numeric.description == "Bad Request: BUTTON_DATA_INVALID")
        }
    }

    @Test("reply markup: ForceReply and keyboard removal pass; text-only buttons and garbage are refused")
    func replyMarkup() async throws {
        try await withTelegram { server, bot in
            server.addChat(Cast.adminGroup)
            let force = try await bot.send(
                Cast.adminGroup.id,
                "Send the reason",
                markup: ["force_reply": true, "input_field_placeholder": "reason", "selective": true]
            )
            #expect(force.status == 200)
            #expect(force.result?["reply_markup"] == nil, "Telegram echoes only inline keyboards")
            #expect(server.botMessages(in: Cast.adminGroup.id).last?.forcesReply == true)
            let remove = try await bot.send(Cast.adminGroup.id, "ok", markup: ["remove_keyboard": true])
            #expect(remove.status == 200)
            let textOnly = try await bot.send(
                Cast.adminGroup.id,
                "x",
                markup: ["inline_keyboard": [[["text": "Nothing"]]]]
            )
            #expect(
                textOnly.description
                    == "Bad Request: can't parse inline keyboard button: "
                    + "Text buttons are unallowed in the inline keyboard"
            )
            let garbage = try await bot.form(
                "sendMessage",
                [("chat_id", String(Cast.adminGroup.id)), ("text", "x"), ("reply_markup", "{not json")]
            )
            #expect(garbage.description == "Bad Request: can't parse reply keyboard markup JSON object")
            let url = try await bot.send(
                Cast.adminGroup.id,
                "x",
                markup: ["inline_keyboard": [[["text": "Docs", "url": "https://example.com"]]]]
            )
            #expect(url.status == 200)
        }
    }

    @Test("an unknown chat is \"chat not found\"; a missing chat_id is \"chat_id is empty\"")
    func chats() async throws {
        try await withTelegram { server, bot in
            let unknown = try await bot.send(777, "hello")
            #expect(unknown.status == 400)
            #expect(unknown.description == "Bad Request: chat not found")
            let missing = try await bot.call("sendMessage", ["text": "x"])
            #expect(missing.description == "Bad Request: chat_id is empty")
            server.addChat(Cast.adminGroup)
            let byName = try await bot.call("sendMessage", ["chat_id": "@approvals", "text": "x"])
            #expect(byName.result?["chat"]?["id"] == .integer(Cast.adminGroup.id))
        }
    }
}
