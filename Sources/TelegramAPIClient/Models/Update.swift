/// One incoming event from `getUpdates`.
///
/// Telegram sends at most one payload per update and adds new kinds with every API version. Kinds this bot does
/// not handle decode as ``Kind/unknown(_:)``; a payload of a known kind that cannot be read becomes
/// ``Kind/undecodable(_:)`` when it arrives in a batch, so the poller can confirm its `update_id`, log it and go
/// on. A poller that retried such an update forever would be a dead bot.
public struct Update: Sendable, Hashable {
    public var updateID: Int64
    public var kind: Kind

    public init(updateID: Int64, kind: Kind) {
        self.updateID = updateID
        self.kind = kind
    }

    public enum Kind: Sendable, Hashable {
        case message(Message)
        case editedMessage(Message)
        case callbackQuery(CallbackQuery)
        case myChatMember(ChatMemberUpdated)
        /// Someone's membership of a chat where the bot is an administrator changed (a promotion, a demotion, a
        /// change of rights). Sent only when `allowed_updates` names it.
        case chatMember(ChatMemberUpdated)
        /// A kind this client does not model; carries the payload's field name (e.g. `channel_post`).
        case unknown(String)
        /// A known kind whose payload could not be decoded; carries the reason (a coding path, never user text).
        case undecodable(String)

        /// The kind's name as Telegram writes it (`message`, `callback_query`, …), never its content (a message
        /// may hold a secret); `nil` for a payload that could not be decoded.
        public var name: String? {
            switch self {
            case .message: "message"
            case .editedMessage: "edited_message"
            case .callbackQuery: "callback_query"
            case .myChatMember: "my_chat_member"
            case .chatMember: "chat_member"
            case .unknown(let name): name
            case .undecodable: nil
            }
        }
    }

    /// The kinds this client decodes, as named in `allowed_updates`. A bot asks for the subset it handles (the
    /// server remembers the last list it was given).
    public static let decodableKinds = ["message", "edited_message", "callback_query", "my_chat_member", "chat_member"]

    public var message: Message? {
        guard case .message(let message) = kind else { return nil }
        return message
    }

    public var callbackQuery: CallbackQuery? {
        guard case .callbackQuery(let query) = kind else { return nil }
        return query
    }

    /// The chat the update belongs to, for handling one chat's updates in order.
    public var chat: Chat? {
        switch kind {
        case .message(let message), .editedMessage(let message): message.chat
        case .callbackQuery(let query): query.message?.chat
        case .myChatMember(let change), .chatMember(let change): change.chat
        case .unknown, .undecodable: nil
        }
    }

    /// The user who caused the update, if any.
    public var from: User? {
        switch kind {
        case .message(let message), .editedMessage(let message): message.from
        case .callbackQuery(let query): query.from
        case .myChatMember(let change), .chatMember(let change): change.from
        case .unknown, .undecodable: nil
        }
    }
}

extension Update: Codable {
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }

        static let updateID = Key("update_id")
        static let message = Key("message")
        static let editedMessage = Key("edited_message")
        static let callbackQuery = Key("callback_query")
        static let myChatMember = Key("my_chat_member")
        static let chatMember = Key("chat_member")
    }

    /// Strict about the kinds it knows (a bad payload throws); ``UpdateBatch`` turns that into `undecodable`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        updateID = try container.decode(Int64.self, forKey: .updateID)
        if container.contains(.message) {
            kind = .message(try container.decode(Message.self, forKey: .message))
        } else if container.contains(.editedMessage) {
            kind = .editedMessage(try container.decode(Message.self, forKey: .editedMessage))
        } else if container.contains(.callbackQuery) {
            kind = .callbackQuery(try container.decode(CallbackQuery.self, forKey: .callbackQuery))
        } else if container.contains(.myChatMember) {
            kind = .myChatMember(try container.decode(ChatMemberUpdated.self, forKey: .myChatMember))
        } else if container.contains(.chatMember) {
            kind = .chatMember(try container.decode(ChatMemberUpdated.self, forKey: .chatMember))
        } else {
            let names = container.allKeys.map(\.stringValue).filter { $0 != Key.updateID.stringValue }
            kind = .unknown(names.sorted().first ?? "")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(updateID, forKey: .updateID)
        switch kind {
        case .message(let message): try container.encode(message, forKey: .message)
        case .editedMessage(let message): try container.encode(message, forKey: .editedMessage)
        case .callbackQuery(let query): try container.encode(query, forKey: .callbackQuery)
        case .myChatMember(let change): try container.encode(change, forKey: .myChatMember)
        case .chatMember(let change): try container.encode(change, forKey: .chatMember)
        case .unknown, .undecodable: break
        }
    }
}
