/// Buttons attached to a message, in rows.
public struct InlineKeyboardMarkup: Codable, Sendable, Hashable {
    public var inlineKeyboard: [[InlineKeyboardButton]]

    public init(_ rows: [[InlineKeyboardButton]]) {
        inlineKeyboard = rows
    }

    public init(inlineKeyboard: [[InlineKeyboardButton]]) {
        self.inlineKeyboard = inlineKeyboard
    }

    enum CodingKeys: String, CodingKey {
        case inlineKeyboard = "inline_keyboard"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        inlineKeyboard = try container.decodeIfPresent([[InlineKeyboardButton]].self, forKey: .inlineKeyboard) ?? []
    }
}

/// One inline button. The API wants exactly one action per button; this bot uses callback data and URLs (links to
/// the bot's private chat), so buttons of other kinds decode with both absent.
public struct InlineKeyboardButton: Codable, Sendable, Hashable {
    public var text: String
    /// 1–64 bytes of UTF-8 (bytes, not characters); the server refuses longer data with `BUTTON_DATA_INVALID`.
    public var callbackData: String?
    public var url: String?

    public init(text: String, callbackData: String? = nil, url: String? = nil) {
        self.text = text
        self.callbackData = callbackData
        self.url = url
    }

    /// A button that sends `data` back to the bot as a callback query.
    public static func callback(_ text: String, data: String) -> InlineKeyboardButton {
        InlineKeyboardButton(text: text, callbackData: data)
    }

    /// A button that opens a link, such as `https://t.me/<bot>?start=add`.
    public static func link(_ text: String, url: String) -> InlineKeyboardButton {
        InlineKeyboardButton(text: text, url: url)
    }

    enum CodingKeys: String, CodingKey {
        case text
        case callbackData = "callback_data"
        case url
    }

    /// The largest `callback_data` the API accepts, in UTF-8 bytes.
    public static let maxCallbackDataBytes = 64
}
