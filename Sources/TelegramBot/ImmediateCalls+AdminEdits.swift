import BotConversation
import Logging
import TelegramAPIClient

/// Edits in the admin group made at once rather than queued: a digest page turned, a card's buttons swapped for
/// quick reasons, a reason prompt closed. Each sets the message to a state, so repeating one after a crash is
/// harmless; one that fails is logged and left (the admin can press again), and Telegram does not count edits
/// against the group's 20 messages a minute.
extension ImmediateCalls {
    func replaceAdminMessage(chatID: Int64, messageID: Int, text: String, buttons: [[OutgoingButton]]) async {
        do throws(TelegramError) {
            try await client.editMessageTextIfChanged(
                chatID: chatID,
                messageID: messageID,
                text: text,
                parseMode: .html,
                replyMarkup: Self.markup(buttons),
                disableLinkPreview: true
            )
        } catch {
            logger.warning(
                "an admin group message could not be edited",
                metadata: ["chat": "\(chatID)", "message": "\(messageID)", "error": "\(error)"]
            )
        }
    }

    func replaceAdminButtons(chatID: Int64, messageID: Int, buttons: [[OutgoingButton]]) async {
        do throws(TelegramError) {
            try await client.editMessageReplyMarkupIfChanged(
                chatID: chatID,
                messageID: messageID,
                replyMarkup: Self.markup(buttons)
            )
        } catch {
            logger.warning(
                "an admin group message's buttons could not be changed",
                metadata: ["chat": "\(chatID)", "message": "\(messageID)", "error": "\(error)"]
            )
        }
    }

    private static func markup(_ buttons: [[OutgoingButton]]) -> InlineKeyboardMarkup? {
        buttons.isEmpty
            ? nil
            : InlineKeyboardMarkup(
                buttons.map { row in row.map(InlineKeyboardButton.init(outgoing:)) }
            )
    }
}
