import BotConversation
import Foundation

/// Reads commands as Telegram writes them: `/name`, `/name@bot`, with arguments.
///
/// The command names live in one place each: the users' in ``ConversationEvent/Command``, the admin group's in
/// ``AdminCommand``; the parser and the command menus (``CommandMenus``) read them there.
struct CommandParser: Sendable {
    /// The bot's `@username` (from `getMe`), to tell `/add@thisbot` from `/add@otherbot` in groups.
    let botUsername: String?

    enum Parsed: Equatable {
        case known(ConversationEvent.Command)
        case unknown
        /// `/cmd@otherbot`: for another bot in the same group.
        case otherBot
        case adminCommand(AdminCommand, arguments: String)
    }

    /// `/name[@bot] arguments` → the conversation's command; `nil` for plain text.
    func command(in text: String) -> Parsed? {
        guard let (name, _, addressee) = Self.split(text) else { return nil }
        if let addressee, let botUsername, addressee.lowercased() != botUsername.lowercased() { return .otherBot }
        // `/settings` is what Telegram's clients suggest for a bot's settings: the language is the only one.
        if name == "settings" { return .known(.language) }
        guard let command = ConversationEvent.Command(rawValue: name) else { return .unknown }
        return .known(command)
    }

    /// The `/start` payload of the deep link to `/add` (`t.me/<bot>?start=add`).
    static func isAddPayload(_ payload: String) -> Bool {
        payload.lowercased() == "add"
    }

    /// What follows `/start` (a deep link's `start` parameter), if anything; `nil` for other text.
    func startPayload(in text: String) -> String? {
        guard let (name, arguments, _) = Self.split(text), name == ConversationEvent.Command.start.rawValue,
            !arguments.isEmpty
        else { return nil }
        return arguments
    }

    /// The admin group's own commands; `nil` for anything else.
    func adminCommand(in text: String) -> Parsed? {
        guard let (name, arguments, addressee) = Self.split(text), let command = AdminCommand(rawValue: name) else {
            return nil
        }
        if let addressee, let botUsername, addressee.lowercased() != botUsername.lowercased() { return nil }
        return .adminCommand(command, arguments: arguments)
    }

    private static func split(_ text: String) -> (name: String, arguments: String, addressee: String?)? {
        // Most texts are answers (a label, a key): seen not to start with "/" before anything is copied.
        let spaces = CharacterSet.whitespacesAndNewlines
        guard text.unicodeScalars.first(where: { !spaces.contains($0) }) == "/" else { return nil }
        let trimmed = text.trimmingCharacters(in: spaces)
        guard trimmed.count > 1 else { return nil }
        let head = trimmed.prefix { !$0.isWhitespace }
        let arguments = trimmed.dropFirst(head.count).trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = head.dropFirst().split(separator: "@", maxSplits: 1).map(String.init)
        guard let name = parts.first?.lowercased() else { return nil }
        return (name, arguments, parts.count > 1 ? parts[1] : nil)
    }
}

/// The admin group's commands (besides `/help` and `/start`, which answer with the admins' help).
enum AdminCommand: String, CaseIterable, Sendable {
    case pending, approve, reject, audit

    /// The admin group's menu, in its order.
    static let menu = allCases.map(\.rawValue) + [ConversationEvent.Command.help.rawValue]
}
