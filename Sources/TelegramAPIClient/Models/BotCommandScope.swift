/// Which users see a command list. Narrower scopes win; `default` applies where nothing narrower is set.
public enum BotCommandScope: Codable, Sendable, Hashable {
    case `default`
    case allPrivateChats
    case allGroupChats
    case allChatAdministrators
    case chat(Int64)
    case chatAdministrators(Int64)

    private enum CodingKeys: String, CodingKey {
        case type
        case chatID = "chat_id"
    }

    public var type: String {
        switch self {
        case .default: "default"
        case .allPrivateChats: "all_private_chats"
        case .allGroupChats: "all_group_chats"
        case .allChatAdministrators: "all_chat_administrators"
        case .chat: "chat"
        case .chatAdministrators: "chat_administrators"
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        switch self {
        case .chat(let chatID), .chatAdministrators(let chatID): try container.encode(chatID, forKey: .chatID)
        case .default, .allPrivateChats, .allGroupChats, .allChatAdministrators: break
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "default": self = .default
        case "all_private_chats": self = .allPrivateChats
        case "all_group_chats": self = .allGroupChats
        case "all_chat_administrators": self = .allChatAdministrators
        case "chat": self = .chat(try container.decode(Int64.self, forKey: .chatID))
        case "chat_administrators": self = .chatAdministrators(try container.decode(Int64.self, forKey: .chatID))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type,
                in: container,
                debugDescription: "unsupported command scope \(type)"
            )
        }
    }
}
