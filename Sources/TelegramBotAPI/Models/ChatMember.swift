/// One user's membership of a chat, as `getChatMember` and `my_chat_member` report it.
///
/// The API models this as six types told apart by `status`; the bot only needs the status and, for restricted
/// members, whether they are still in the chat, so this is one struct.
public struct ChatMember: Codable, Sendable, Hashable {
    public var status: Status
    public var user: User
    /// Restricted members only: whether they are still in the chat.
    public var isMember: Bool?
    /// Restricted and banned members: Unix time when the restriction ends; 0 means forever.
    public var untilDate: Int64?

    public init(status: Status, user: User, isMember: Bool? = nil, untilDate: Int64? = nil) {
        self.status = status
        self.user = user
        self.isMember = isMember
        self.untilDate = untilDate
    }

    /// A membership status. One the API adds later decodes as ``other(_:)``.
    public enum Status: Sendable, Hashable, Codable {
        case creator
        case administrator
        case member
        case restricted
        case left
        /// Banned; in a private chat with the bot this means the user blocked it.
        case kicked
        case other(String)

        public init(rawValue: String) {
            switch rawValue {
            case "creator": self = .creator
            case "administrator": self = .administrator
            case "member": self = .member
            case "restricted": self = .restricted
            case "left": self = .left
            case "kicked": self = .kicked
            default: self = .other(rawValue)
            }
        }

        public var rawValue: String {
            switch self {
            case .creator: "creator"
            case .administrator: "administrator"
            case .member: "member"
            case .restricted: "restricted"
            case .left: "left"
            case .kicked: "kicked"
            case .other(let value): value
            }
        }

        public init(from decoder: any Decoder) throws {
            self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(rawValue)
        }
    }

    /// The owner or an administrator: the people who may decide in the admin group.
    public var isAdministrator: Bool { status == .creator || status == .administrator }

    /// Whether the user is currently in the chat at all (a restricted user may or may not be).
    public var isPresent: Bool {
        switch status {
        case .creator, .administrator, .member: true
        case .restricted: isMember ?? false
        case .left, .kicked, .other: false
        }
    }

    enum CodingKeys: String, CodingKey {
        case status
        case user
        case isMember = "is_member"
        case untilDate = "until_date"
    }
}
