/// One user's membership of a chat, as `getChatMember` and `my_chat_member` report it.
///
/// The API models this as six types told apart by `status`; the bot only needs the status, an administrator's
/// rights that say whether they really run the chat, and, for restricted members, whether they are still in the
/// chat, so this is one struct.
public struct ChatMember: Codable, Sendable, Hashable {
    public var status: Status
    public var user: User
    /// Restricted members only: whether they are still in the chat.
    public var isMember: Bool?
    /// Restricted and banned members: Unix time when the restriction ends; 0 means forever.
    public var untilDate: Int64?
    /// Creators and administrators: whether their messages are signed with the chat's name instead of theirs.
    public var isAnonymous: Bool?
    /// Administrators only (absent for others, which reads as `false`).
    public var canManageChat: Bool?
    /// Administrators only.
    public var canDeleteMessages: Bool?

    public init(
        status: Status,
        user: User,
        isMember: Bool? = nil,
        untilDate: Int64? = nil,
        isAnonymous: Bool? = nil,
        canManageChat: Bool? = nil,
        canDeleteMessages: Bool? = nil
    ) {
        self.status = status
        self.user = user
        self.isMember = isMember
        self.untilDate = untilDate
        self.isAnonymous = isAnonymous
        self.canManageChat = canManageChat
        self.canDeleteMessages = canDeleteMessages
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

    /// The owner or an administrator, whatever their rights.
    public var isAdministrator: Bool { status == .creator || status == .administrator }

    /// The owner, or an administrator who may manage the chat or delete messages: someone who actually runs the
    /// chat. Anyone can be made an "administrator" with no right at all (a title, in practice); that alone is not
    /// enough to decide on keys.
    public var runsTheChat: Bool {
        switch status {
        case .creator: true
        case .administrator: canManageChat == true || canDeleteMessages == true
        default: false
        }
    }

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
        case isAnonymous = "is_anonymous"
        case canManageChat = "can_manage_chat"
        case canDeleteMessages = "can_delete_messages"
    }
}
