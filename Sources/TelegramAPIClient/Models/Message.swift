/// A message, as far as this bot reads one.
///
/// Optional decorations (`reply_to_message`, `reply_markup`) decode leniently: if one has a shape we do not know,
/// it reads as absent rather than losing the message.
public struct Message: Codable, Sendable, Hashable {
    /// Unique within the chat only.
    public var messageID: Int
    /// The sender; absent in channels, a placeholder user when sent on behalf of a chat.
    public var from: User?
    public var chat: Chat
    /// Unix time in seconds.
    public var date: Int64
    public var text: String?
    /// The basic group was upgraded; this is the supergroup's id (service message in the old group).
    public var migrateToChatID: Int64?
    /// The supergroup was upgraded from this basic group (first message in the new supergroup).
    public var migrateFromChatID: Int64?
    public var replyMarkup: InlineKeyboardMarkup?
    /// Stored indirectly because a struct cannot contain itself; Telegram nests it only one level deep.
    private var replyStorage: Reply?

    /// The message this one replies to, without its own `replyToMessage` (the API never nests further).
    public var replyToMessage: Message? {
        get {
            guard case .message(let message) = replyStorage else { return nil }
            return message
        }
        set { replyStorage = newValue.map(Reply.message) }
    }

    public init(
        messageID: Int,
        from: User? = nil,
        chat: Chat,
        date: Int64,
        text: String? = nil,
        replyToMessage: Message? = nil,
        migrateToChatID: Int64? = nil,
        migrateFromChatID: Int64? = nil,
        replyMarkup: InlineKeyboardMarkup? = nil
    ) {
        self.messageID = messageID
        self.from = from
        self.chat = chat
        self.date = date
        self.text = text
        self.migrateToChatID = migrateToChatID
        self.migrateFromChatID = migrateFromChatID
        self.replyMarkup = replyMarkup
        self.replyToMessage = replyToMessage
    }

    private indirect enum Reply: Sendable, Hashable {
        case message(Message)
    }

    enum CodingKeys: String, CodingKey {
        case messageID = "message_id"
        case from
        case chat
        case date
        case text
        case replyToMessage = "reply_to_message"
        case migrateToChatID = "migrate_to_chat_id"
        case migrateFromChatID = "migrate_from_chat_id"
        case replyMarkup = "reply_markup"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        messageID = try container.decode(Int.self, forKey: .messageID)
        from = try? container.decodeIfPresent(User.self, forKey: .from)
        chat = try container.decode(Chat.self, forKey: .chat)
        date = try container.decodeIfPresent(Int64.self, forKey: .date) ?? 0
        text = try container.decodeIfPresent(String.self, forKey: .text)
        migrateToChatID = try container.decodeIfPresent(Int64.self, forKey: .migrateToChatID)
        migrateFromChatID = try container.decodeIfPresent(Int64.self, forKey: .migrateFromChatID)
        replyMarkup = try? container.decodeIfPresent(InlineKeyboardMarkup.self, forKey: .replyMarkup)
        if var reply = try? container.decodeIfPresent(Message.self, forKey: .replyToMessage) {
            reply.replyToMessage = nil
            replyToMessage = reply
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(messageID, forKey: .messageID)
        try container.encodeIfPresent(from, forKey: .from)
        try container.encode(chat, forKey: .chat)
        try container.encode(date, forKey: .date)
        try container.encodeIfPresent(text, forKey: .text)
        try container.encodeIfPresent(replyToMessage, forKey: .replyToMessage)
        try container.encodeIfPresent(migrateToChatID, forKey: .migrateToChatID)
        try container.encodeIfPresent(migrateFromChatID, forKey: .migrateFromChatID)
        try container.encodeIfPresent(replyMarkup, forKey: .replyMarkup)
    }
}
