/// Makes the user's client open a reply to the bot's message, as if they had tapped "Reply".
///
/// This is how a bot with privacy mode on can ask a question in a group (the reject reason) and still receive the
/// answer: replies to the bot's messages are delivered to it.
public struct ForceReply: Codable, Sendable, Hashable {
    /// Always true; the API requires the field.
    public var forceReply: Bool = true
    /// Shown in the empty input field, 1–64 characters.
    public var inputFieldPlaceholder: String?
    /// Target only mentioned users and the sender of the message replied to.
    public var selective: Bool?

    public init(inputFieldPlaceholder: String? = nil, selective: Bool? = nil) {
        self.inputFieldPlaceholder = inputFieldPlaceholder
        self.selective = selective
    }

    enum CodingKeys: String, CodingKey {
        case forceReply = "force_reply"
        case inputFieldPlaceholder = "input_field_placeholder"
        case selective
    }
}
