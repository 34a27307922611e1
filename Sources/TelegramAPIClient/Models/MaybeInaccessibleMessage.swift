/// The message a callback button sat on, which the bot may no longer be able to read (too old, or deleted).
///
/// The API tells the two apart by `date`: an inaccessible message always has date 0. Either way the chat and the
/// message id are known, which is all a callback handler needs to edit or answer.
public enum MaybeInaccessibleMessage: Codable, Sendable, Hashable {
    case message(Message)
    case inaccessible(chat: Chat, messageID: Int)

    public var chat: Chat {
        switch self {
        case .message(let message): message.chat
        case .inaccessible(let chat, _): chat
        }
    }

    public var messageID: Int {
        switch self {
        case .message(let message): message.messageID
        case .inaccessible(_, let messageID): messageID
        }
    }

    /// The full message when the bot can still read it.
    public var message: Message? {
        guard case .message(let message) = self else { return nil }
        return message
    }

    private enum CodingKeys: String, CodingKey {
        case chat
        case messageID = "message_id"
        case date
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if try container.decodeIfPresent(Int64.self, forKey: .date) ?? 0 == 0 {
            self = .inaccessible(
                chat: try container.decode(Chat.self, forKey: .chat),
                messageID: try container.decode(Int.self, forKey: .messageID)
            )
        } else {
            self = .message(try Message(from: decoder))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .message(let message):
            try message.encode(to: encoder)
        case .inaccessible(let chat, let messageID):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(chat, forKey: .chat)
            try container.encode(messageID, forKey: .messageID)
            try container.encode(0, forKey: .date)
        }
    }
}
