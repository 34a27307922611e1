/// A Telegram user or bot.
///
/// Ids can exceed 32 bits (up to 52 significant bits), so they are `Int64`. Only `id` is required when decoding:
/// the API adds fields with every version and a missing name must not cost us the whole update.
public struct User: Codable, Sendable, Hashable {
    public var id: Int64
    public var isBot: Bool
    public var firstName: String
    public var lastName: String?
    public var username: String?
    /// IETF language tag of the user's client; picks the locale until the user chooses one.
    public var languageCode: String?

    public init(
        id: Int64,
        isBot: Bool = false,
        firstName: String,
        lastName: String? = nil,
        username: String? = nil,
        languageCode: String? = nil
    ) {
        self.id = id
        self.isBot = isBot
        self.firstName = firstName
        self.lastName = lastName
        self.username = username
        self.languageCode = languageCode
    }

    enum CodingKeys: String, CodingKey {
        case id
        case isBot = "is_bot"
        case firstName = "first_name"
        case lastName = "last_name"
        case username
        case languageCode = "language_code"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int64.self, forKey: .id)
        isBot = try container.decodeIfPresent(Bool.self, forKey: .isBot) ?? false
        firstName = try container.decodeIfPresent(String.self, forKey: .firstName) ?? ""
        lastName = try container.decodeIfPresent(String.self, forKey: .lastName)
        username = try container.decodeIfPresent(String.self, forKey: .username)
        languageCode = try container.decodeIfPresent(String.self, forKey: .languageCode)
    }
}
