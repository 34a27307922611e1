/// Where a message the bot sent or edited is: all the bot reads of Telegram's answer to `sendMessage` and the
/// edits.
///
/// Telegram answers with the whole `Message` (its sender, chat, text, entities and buttons); decoding only these two
/// fields spares building the rest for every message the bot sends.
public struct SentMessage: Decodable, Sendable, Hashable {
    public var messageID: Int
    public var chatID: Int64

    public init(messageID: Int, chatID: Int64) {
        self.messageID = messageID
        self.chatID = chatID
    }

    private enum CodingKeys: String, CodingKey {
        case messageID = "message_id"
        case chat
    }

    private enum ChatKeys: String, CodingKey {
        case id
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        messageID = try container.decode(Int.self, forKey: .messageID)
        chatID = try container.nestedContainer(keyedBy: ChatKeys.self, forKey: .chat).decode(Int64.self, forKey: .id)
    }
}
