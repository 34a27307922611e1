/// A press on one of the bot's inline buttons.
///
/// `data` is whatever the button carried when it was sent, possibly long ago: treat it as untrusted input and
/// re-check `from.id` against the current state. Every query must be answered, or the user's client shows a
/// spinner: ``TelegramClient/answerCallbackQuery(id:text:showAlert:)``.
public struct CallbackQuery: Codable, Sendable, Hashable {
    public var id: String
    public var from: User
    /// Absent for buttons on inline-mode messages.
    public var message: MaybeInaccessibleMessage?
    public var inlineMessageID: String?
    /// Identifies the chat the button was pressed in, across bots; useful only for games.
    public var chatInstance: String
    public var data: String?

    public init(
        id: String,
        from: User,
        message: MaybeInaccessibleMessage? = nil,
        inlineMessageID: String? = nil,
        chatInstance: String = "",
        data: String? = nil
    ) {
        self.id = id
        self.from = from
        self.message = message
        self.inlineMessageID = inlineMessageID
        self.chatInstance = chatInstance
        self.data = data
    }

    enum CodingKeys: String, CodingKey {
        case id
        case from
        case message
        case inlineMessageID = "inline_message_id"
        case chatInstance = "chat_instance"
        case data
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        from = try container.decode(User.self, forKey: .from)
        message = try container.decodeIfPresent(MaybeInaccessibleMessage.self, forKey: .message)
        inlineMessageID = try container.decodeIfPresent(String.self, forKey: .inlineMessageID)
        chatInstance = try container.decodeIfPresent(String.self, forKey: .chatInstance) ?? ""
        data = try container.decodeIfPresent(String.self, forKey: .data)
    }
}
