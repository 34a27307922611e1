import BotConversation
import Localization

extension Localizer {
    /// A reply of the conversation machine in `language`.
    public func render(_ text: Reply.Text, language: String) -> String {
        self.text(text.key, text.arguments, language: language)
    }
}
