import ExchangeBotCore
import Foundation
import TelegramBot
import TestSupport
import Testing

/// `/audit ID` in the admin group, through the running bot: a key's last 20 events, one line each (when, from
/// which channel, who, what), newest first, escaped, in the asking admin's language; usage, unknown keys,
/// non-admins, private chats and the group's command menu.
@Suite(.serialized) struct AuditCommandTests {
    /// No `@username`, and a name that is HTML: the log names her by it.
    let eve = FakeUser(id: 5_000_404, firstName: "Eve <i>&", username: nil)

    /// Every action, outcome and channel `/audit` names has its words in every locale (the keys are built at run
    /// time, so the locale test that reads the sources cannot see them).
    @Test func everyActionOutcomeAndChannelHasItsWordsInEveryLocale() throws {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        let keys =
            AuditAction.allCases.map { "admin.audit.action." + $0.rawValue.replacingOccurrences(of: ".", with: "_") }
            + ["refused", "failed"].map { "admin.audit.outcome." + $0 }
            + AuditChannel.allCases.map { "admin.audit.channel." + $0.rawValue }
            + ["command.admin.audit", "admin.audit_usage", "admin.audit_title", "admin.audit_none", "admin.audit_line"]
        for language in ["en", "ru"] {
            let table = try JSONDecoder().decode(
                [String: String].self,
                from: Data(contentsOf: root.appendingPathComponent("locales/\(language).json"))
            )
            let missing = keys.filter { table[$0]?.isEmpty ?? true }
            #expect(missing.isEmpty, "missing in \(language): \(missing)")
        }
    }

    func admin(_ bot: BotHarness, _ text: String, from user: FakeUser? = nil) {
        bot.telegram.sendUserMessage(from: user ?? bot.listedAdmin, chat: bot.adminGroup, text: text)
    }

    @Test func anAdminSeesAKeysLastEventsNewestFirst() async throws {
        let bot = try await BotHarness.start(exchanges: [.okx])
        defer { Task { await bot.stop() } }
        let account = FakeAccount.random(for: .okx)
        bot.exchanges[.okx]!.register(account)
        _ = try await bot.addKey(
            eve,
            exchange: .okx,
            label: "Main",
            apiKey: account.apiKey,
            secret: account.secret,
            passphrase: account.passphrase
        )
        _ = try await bot.waitForBotMessage(in: eve.id, containing: "awaiting approval")
        let keyID = try #require(try await bot.keys(ofTelegramUser: eve.id).first?.id)
        admin(bot, "/approve \(keyID)")
        _ = try await bot.waitForBotMessage(in: eve.id, containing: "approved")

        admin(bot, "/audit \(keyID)")
        let answer = try await bot.waitForBotMessage(
            in: bot.adminGroup.id,
            containing: "Key #\(keyID): the last events"
        )
        let lines = answer.text.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(answer.text)")
        #expect(lines[1].hasSuffix("Telegram · @ada: approved the key"), "\(lines[1])")
        // Her name reached the chat as text: escaped, or the strict fake would have refused the message.
        #expect(lines[2].hasSuffix("Telegram · Eve <i>&: added the key"), "\(lines[2])")
        #expect(lines[1].wholeMatch(of: /\d{4}-\d\d-\d\d \d\d:\d\d UTC · .*/) != nil)
        #expect(!answer.text.contains(account.apiKey) && !answer.text.contains(account.secret))

        // Only the last 20 events, newest first; the service's own rows name their channel too.
        let (store, _) = try bot.stores()
        for index in 1...25 {
            try await store.recordAudit(
                AuditEntry(
                    at: Date(),
                    caller: .system,
                    action: .checkKeyHealth,
                    keyID: keyID,
                    outcome: index == 25 ? .failed : .succeeded,
                    detail: "run <\(index)>"
                )
            )
        }
        admin(bot, "/audit #\(keyID)")
        let long = try await bot.waitForBotMessage(in: bot.adminGroup.id) {
            $0.messageID > answer.messageID && $0.text.contains("Key #\(keyID): the last events")
        }
        let shown = long.text.split(separator: "\n").dropFirst()
        #expect(shown.count == 20)
        #expect(shown.first?.hasSuffix("service · system: health check (failed) · run <25>") == true, "\(long.text)")
        #expect(shown.last?.hasSuffix("· run <6>") == true)
        #expect(!long.text.contains("added the key"))
        try await bot.stopBot()
    }

    @Test func usageUnknownKeysOutsidersPrivateChatsAndRussian() async throws {
        let bot = try await BotHarness.start(exchanges: [])
        defer { Task { await bot.stop() } }
        let (store, _) = try bot.stores()
        // A key that is gone: its events still read.
        try await store.recordAudit(
            AuditEntry(
                at: Date(),
                caller: Caller(userID: 7, displayName: "alice"),
                action: .deleteKey,
                keyID: 4_321,
                outcome: .succeeded
            )
        )
        for text in ["/audit", "/audit abc", "/audit 0", "/audit -3", "/audit 99999999999999999999"] {
            let before = bot.telegram.botMessages(in: bot.adminGroup.id).count
            admin(bot, text)
            let answer = try await bot.waitForBotMessage(in: bot.adminGroup.id) { _ in
                bot.telegram.botMessages(in: bot.adminGroup.id).count > before
            }
            #expect(answer.text.hasPrefix("Usage: /audit ID"), "\(text): \(answer.text)")
        }
        admin(bot, "/audit 777")
        _ = try await bot.waitForBotMessage(in: bot.adminGroup.id, containing: "There is no key #777.")
        admin(bot, "/audit 4321")
        let gone = try await bot.waitForBotMessage(in: bot.adminGroup.id, containing: "Key #4321: the last events")
        #expect(gone.text.contains("REST API · alice: deleted the key"))

        admin(bot, "/audit 4321", from: bot.bystander)
        _ = try await bot.waitForBotMessage(in: bot.adminGroup.id, containing: "Only admins")

        let russian = FakeUser(id: bot.groupAdmin.id, firstName: "Grace", username: "grace", languageCode: "ru")
        admin(bot, "/audit 4321", from: russian)
        let inRussian = try await bot.waitForBotMessage(in: bot.adminGroup.id, containing: "Ключ #4321")
        #expect(inRussian.text.contains("REST API · alice: удалил ключ"))
        admin(bot, "/audit", from: russian)
        _ = try await bot.waitForBotMessage(in: bot.adminGroup.id, containing: "Формат: /audit ID")

        // In a private chat it is no command of the user's: the same answer as the other admin commands.
        let olga = FakeUser(id: 5_000_405, firstName: "Olga", username: "olga")
        bot.say(olga, "/pending")
        let pending = try await bot.waitForBotMessage(in: olga.id, containing: "Send /add")
        bot.say(olga, "/audit 4321")
        let audit = try await bot.waitForBotMessage(in: olga.id) { $0.messageID > pending.messageID }
        #expect(audit.text == pending.text)
        #expect(!audit.text.contains("4321"))

        // The admin group's menu lists it, described.
        let menu = await bot.telegram.waitUntil(timeout: .seconds(20)) {
            bot.telegram.commandSets().contains { set in
                "\(set.scope)".contains(String(bot.adminGroup.id))
                    && set.commands.contains { $0.command == "audit" && $0.description.contains("/audit ID") }
            }
        }
        #expect(menu)
        #expect(
            !bot.telegram.commandSets().contains { set in
                !"\(set.scope)".contains(String(bot.adminGroup.id)) && set.commands.contains { $0.command == "audit" }
            }
        )
        try await bot.stopBot()
    }
}
