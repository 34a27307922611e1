import ExchangeBotCore
import Foundation
import TestSupport
import Testing

/// What a new user meets before any key: the bot's description per language, `/settings`, and a command menu in
/// the language they chose.
@Suite(.serialized) struct FirstContactEndToEndTests {
    @Test func descriptionsAreSetPerLanguageAndTheMenuFollowsTheChosenLanguage() async throws {
        let bot = try await BotHarness.start(exchanges: [])
        defer { Task { await bot.stop() } }
        let olga = FakeUser(id: 5_000_302, firstName: "Olga", languageCode: "ru-RU")
        bot.say(olga, "/settings")
        let choice = try await bot.waitForBotMessage(in: olga.id) { $0.button("English") != nil }
        let descriptions = bot.telegram.botDescriptions("description")
        #expect(descriptions[""]?.contains("withdrawals off") == true)
        #expect(descriptions["ru"]?.contains("вывод") == true)
        let short = bot.telegram.botDescriptions("short_description")
        #expect(Set(short.keys) == ["", "ru"])
        #expect(short.values.allSatisfy { $0.count <= 120 })

        _ = bot.telegram.pressButton(from: olga, on: choice, caption: "English")
        _ = try await bot.waitForBotMessage(in: olga.id, containing: "in English")
        let chatMenu = bot.telegram.commandSets().first { "\($0.scope)".contains(String(olga.id)) }
        let menu = try #require(chatMenu, "the chat's own menu is set")
        #expect(menu.commands.map(\.command).contains("add"))
        #expect(menu.commands.first { $0.command == "add" }?.description.contains("key") == true, "in English")
        try await bot.stopBot()
    }
}
