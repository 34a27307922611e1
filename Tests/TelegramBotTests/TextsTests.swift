import BotConversation
import Foundation
import Testing

@testable import Localization
@testable import TelegramBot

/// The texts: placeholders escaped, languages chosen, every key the bot uses present in every locale, and commands
/// read as Telegram writes them.
@Suite struct TextsTests {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    static let localizer: Localizer = {
        (try? Localizer.load(from: root.appendingPathComponent("locales"))) ?? Localizer(tables: [:])
    }()

    @Test func placeholdersAreEscapedAndTemplatesAreNot() {
        let localizer = Localizer(tables: ["en": ["k": "<b>{name}</b> {name} {missing}"]])
        #expect(
            localizer.text("k", ["name": "<i>&\"🚀"], language: "en")
                == "<b>&lt;i&gt;&amp;&quot;🚀</b> &lt;i&gt;&amp;&quot;🚀 {missing}"
        )
        #expect(localizer.text("absent", language: "en") == "absent")
    }

    @Test func alertsArePlainText() {
        let localizer = Localizer(tables: ["en": ["k": "<b>Key</b> {name}"]])
        #expect(localizer.plainText("k", ["name": "Tom & <Jerry>"], language: "en") == "Key Tom & <Jerry>")
    }

    /// The byte scan drops exactly what the pattern `</?[a-z]+>` matches (the pattern is the oracle).
    @Test(arguments: [
        "<b>Key</b> waits", "a < b > c", "<>", "</>", "<B>kept</B>", "<b", "x<br>y", "<b>Ключ</b> «ok»",
        "<<b>>", "</b", "<b1>", "< b>", "no tags", "", "🙂<i>é</i>",
    ])
    func tagsAreDroppedAsThePatternSays(template: String) {
        #expect(Localizer.withoutTags(template) == template.replacing(/<\/?[a-z]+>/, with: ""))
    }

    @Test func languagesFollowTelegramsCodesAndFallBackToEnglish() {
        let localizer = Localizer(tables: ["en": ["k": "hi"], "ru": ["k": "привет"]])
        #expect(localizer.language(for: "ru-RU") == "ru")
        #expect(localizer.language(for: "pt_BR") == "en")
        #expect(localizer.language(for: nil) == "en")
        #expect(localizer.text("k", language: "ru") == "привет")
        let partial = Localizer(tables: ["en": ["k": "hi", "only": "english"], "ru": ["k": "привет"]])
        #expect(partial.text("only", language: "ru") == "english")
    }

    /// Every `"admin.…"`, `"notify.…"`, `"command.…"` and `"button.…"` key written in the bot's sources exists in
    /// both locales (the conversation's own keys are checked in BotConversationTests).
    @Test func everyKeyTheBotUsesExistsInEveryLocale() throws {
        let sources = Self.root.appendingPathComponent("Sources/TelegramBot")
        var keys = Set<String>()
        let pattern = try Regex(#""((?:admin|notify|command|button|status|language)\.[a-z_.]+)""#)
        for file in try FileManager.default.contentsOfDirectory(at: sources, includingPropertiesForKeys: nil) {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in text.matches(of: pattern) {
                keys.insert(String(text[match.output[1].range!]))
            }
        }
        // Keys built at run time.
        keys.formUnion(["admin.approve_usage", "admin.reject_usage", "status.APPROVED", "status.REJECTED"])
        keys.formUnion(["add", "exchanges", "cancel", "language", "help"].map { "command.\($0)" })
        keys.formUnion(["pending", "approve", "reject", "help"].map { "command.admin.\($0)" })
        keys = keys.filter { !$0.hasSuffix(".") }
        #expect(keys.count > 25)
        for language in ["en", "ru"] {
            let table = try JSONDecoder().decode(
                [String: String].self,
                from: Data(contentsOf: Self.root.appendingPathComponent("locales/\(language).json"))
            )
            // A plural group is present when its `other` form is (the plural test checks the rest).
            let missing = keys.filter { table[$0] == nil && table[$0 + ".other"] == nil }
            #expect(missing.isEmpty, "missing in \(language): \(missing.sorted())")
        }
    }

    @Test func theReasonPromptSaysReasonAndCaptionsAreTheContracts() {
        let texts = BotTexts(localizer: Self.localizer)
        #expect(texts.text("admin.ask_reason", ["id": "1", "admin": "@a", "label": "L"]).contains("reason"))
        #expect(texts.text("button.approve") == "Approve" && texts.text("button.reject") == "Reject")
        #expect(texts.text("button.approve", language: "ru") == "Approve")
    }

    @Test func commandsAreReadAsTelegramWritesThem() {
        let parser = CommandParser(botUsername: "exchange_keys_bot")
        #expect(parser.command(in: "/add") == .known(.add))
        #expect(parser.command(in: "  /Add@Exchange_Keys_Bot  ") == .known(.add))
        #expect(parser.command(in: "/add@other_bot") == .otherBot)
        #expect(parser.command(in: "/frobnicate") == .unknown)
        #expect(parser.command(in: "hello /add") == nil)
        #expect(parser.command(in: "/") == nil)
        #expect(
            parser.adminCommand(in: "/approve 12 Welcome <b>")
                == .adminCommand(.approve, arguments: "12 Welcome <b>")
        )
        #expect(parser.adminCommand(in: "/approve@other_bot 12") == nil)
        #expect(parser.adminCommand(in: "/add") == nil)
    }

    @Test func adminButtonDataRoundTrips() {
        for action in [
            AdminAction.approve(keyID: 1, revision: "0123456789abcdef"),
            .reject(keyID: Int64.max, revision: "fedcba9876543210"),
        ] {
            #expect(AdminAction(data: action.data) == action)
            #expect(action.data.utf8.count <= 64)
        }
        for garbage in ["apr:", "apr:1", "apr:0:0123456789abcdef", "rej:-3:0123456789abcdef", "apr:1:xyz", "act:1", ""]
        {
            #expect(AdminAction(data: garbage) == nil)
        }
    }
}
