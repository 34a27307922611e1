import BotConversation
import Foundation

/// Reading commands as Telegram writes them: `/name`, `/name@bot`, with arguments.
extension UpdateHandler {
    enum ParsedCommand: Equatable {
        case known(ConversationEvent.Command)
        case unknown
        /// `/cmd@otherbot`: for another bot in the same group.
        case otherBot
        case adminCommand(String, arguments: String)
    }

    /// `/name[@bot] arguments` → the conversation's command; `nil` for plain text.
    static func command(in text: String, botUsername: String?) -> ParsedCommand? {
        guard let (name, _, addressee) = split(text) else { return nil }
        if let addressee, let botUsername, addressee.lowercased() != botUsername.lowercased() { return .otherBot }
        guard let command = ConversationEvent.Command(rawValue: name) else { return .unknown }
        return .known(command)
    }

    /// The admin group's own commands.
    static func adminCommand(in text: String, botUsername: String?) -> ParsedCommand? {
        guard let (name, arguments, addressee) = split(text), ["pending", "approve", "reject"].contains(name) else {
            return nil
        }
        if let addressee, let botUsername, addressee.lowercased() != botUsername.lowercased() { return nil }
        return .adminCommand(name, arguments: arguments)
    }

    private static func split(_ text: String) -> (name: String, arguments: String, addressee: String?)? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("/"), trimmed.count > 1 else { return nil }
        let head = trimmed.prefix { !$0.isWhitespace }
        let arguments = trimmed.dropFirst(head.count).trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = head.dropFirst().split(separator: "@", maxSplits: 1).map(String.init)
        guard let name = parts.first?.lowercased() else { return nil }
        return (name, arguments, parts.count > 1 ? parts[1] : nil)
    }
}
