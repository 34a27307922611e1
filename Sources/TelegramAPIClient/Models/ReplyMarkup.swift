/// What `sendMessage` may attach. Edits accept only inline keyboards, so they take ``InlineKeyboardMarkup``.
public enum ReplyMarkup: Codable, Sendable, Hashable {
    case inlineKeyboard(InlineKeyboardMarkup)
    case forceReply(ForceReply)

    private enum CodingKeys: String, CodingKey {
        case inlineKeyboard = "inline_keyboard"
        case forceReply = "force_reply"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if container.contains(.forceReply) {
            self = .forceReply(try ForceReply(from: decoder))
        } else {
            self = .inlineKeyboard(try InlineKeyboardMarkup(from: decoder))
        }
    }

    /// The wrapped object itself, not a tagged union: that is what the API expects.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .inlineKeyboard(let markup): try markup.encode(to: encoder)
        case .forceReply(let forceReply): try forceReply.encode(to: encoder)
        }
    }
}
