import BotConversation
import TelegramAPIClient

extension InlineKeyboardButton {
    /// A queued button as Telegram takes it: a link, or a button whose press comes back as its data.
    init(outgoing button: OutgoingButton) {
        if let url = button.url {
            self = .link(button.text, url: url)
        } else {
            self.init(text: button.text, callbackData: button.data)
        }
    }
}
