/// An entry in the command menu the user's client shows.
public struct BotCommand: Codable, Sendable, Hashable {
    /// Without the slash: 1–32 lowercase English letters, digits and underscores.
    public var command: String
    /// 1–256 characters.
    public var description: String

    public init(_ command: String, description: String) {
        self.command = command
        self.description = description
    }
}
