/// A private chat, group, supergroup or channel.
///
/// Ids are signed and can exceed 32 bits: supergroups and channels are `-100…`, basic groups negative, private
/// chats equal the user's id.
public struct Chat: Codable, Sendable, Hashable {
    public var id: Int64
    public var type: ChatType
    /// Groups, supergroups and channels only.
    public var title: String?
    public var username: String?
    /// Private chats only.
    public var firstName: String?

    public init(id: Int64, type: ChatType, title: String? = nil, username: String? = nil, firstName: String? = nil) {
        self.id = id
        self.type = type
        self.title = title
        self.username = username
        self.firstName = firstName
    }

    enum CodingKeys: String, CodingKey {
        case id
        case type
        case title
        case username
        case firstName = "first_name"
    }
}

/// The kind of a chat. A type the API adds later decodes as ``other(_:)`` instead of failing the update.
public enum ChatType: Sendable, Hashable {
    case `private`
    case group
    case supergroup
    case channel
    case other(String)

    public init(rawValue: String) {
        switch rawValue {
        case "private": self = .private
        case "group": self = .group
        case "supergroup": self = .supergroup
        case "channel": self = .channel
        default: self = .other(rawValue)
        }
    }

    public var rawValue: String {
        switch self {
        case .private: "private"
        case .group: "group"
        case .supergroup: "supergroup"
        case .channel: "channel"
        case .other(let value): value
        }
    }

    /// Basic groups and supergroups behave alike for a bot that is only a member.
    public var isGroup: Bool { self == .group || self == .supergroup }
}

extension ChatType: Codable {
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
