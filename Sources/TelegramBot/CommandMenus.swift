import BotConversation
import Localization
import Logging
import TelegramAPIClient

/// The command menus Telegram shows: the users' in each of their languages, the admin group's own. The names come
/// from ``ConversationEvent/Command/menu`` and ``AdminCommand/menu``, the descriptions from the locales.
struct CommandMenus: Sendable {
    let client: TelegramClient
    let texts: BotTexts
    let adminChat: AdminChat
    let logger: Logger

    func announce() async {
        let localizer = texts.localizer
        for language in localizer.languages.sorted() {
            let commands = Self.userCommands(language: language, localizer: localizer)
            await describe(language: language)
            do throws(TelegramError) {
                try await client.setMyCommands(
                    commands,
                    scope: .allPrivateChats,
                    languageCode: language == Localizer.fallbackLanguage ? nil : language
                )
            } catch {
                logger.warning("could not set the bot's commands", metadata: ["error": "\(error)"])
            }
        }
        let adminCommands = AdminCommand.menu.map { BotCommand($0, description: texts.text("command.admin.\($0)")) }
        do throws(TelegramError) {
            try await client.setMyCommands(adminCommands, scope: .chat(adminChat.id))
        } catch {
            logger.warning("could not set the admin group's commands", metadata: ["error": "\(error)"])
        }
    }

    /// The users' menu in `language`.
    static func userCommands(language: String, localizer: Localizer) -> [BotCommand] {
        ConversationEvent.Command.menu.map {
            BotCommand($0.rawValue, description: localizer.plainText("command.\($0.rawValue)", language: language))
        }
    }

    /// The bot's description (shown in an empty chat) and short description (its profile), in `language`; the
    /// fallback language's go to everyone without their own.
    private func describe(language: String) async {
        let localizer = texts.localizer
        let code = language == Localizer.fallbackLanguage ? nil : language
        do throws(TelegramError) {
            try await client.setMyDescription(
                localizer.plainText("bot.description", language: language),
                languageCode: code
            )
            try await client.setMyShortDescription(
                localizer.plainText("bot.short_description", language: language),
                languageCode: code
            )
        } catch {
            logger.warning("could not set the bot's description", metadata: ["error": "\(error)"])
        }
    }
}
