/// A change of a membership in a chat: the bot's own (`my_chat_member`) or, where the bot is an administrator and
/// asked for them, anyone's (`chat_member`).
///
/// In a private chat `my_chat_member` arrives only when the user blocks or unblocks the bot, which is the one
/// reliable signal to stop (or resume) notifying them.
public struct ChatMemberUpdated: Codable, Sendable, Hashable {
    public var chat: Chat
    /// Who made the change.
    public var from: User
    /// Unix time in seconds.
    public var date: Int64
    public var oldChatMember: ChatMember
    public var newChatMember: ChatMember

    public init(chat: Chat, from: User, date: Int64, oldChatMember: ChatMember, newChatMember: ChatMember) {
        self.chat = chat
        self.from = from
        self.date = date
        self.oldChatMember = oldChatMember
        self.newChatMember = newChatMember
    }

    /// The user blocked the bot in their private chat.
    public var isBlockedByUser: Bool { chat.type == .private && newChatMember.status == .kicked }

    /// The user unblocked the bot in their private chat.
    public var isUnblockedByUser: Bool {
        chat.type == .private && oldChatMember.status == .kicked && newChatMember.status != .kicked
    }

    enum CodingKeys: String, CodingKey {
        case chat
        case from
        case date
        case oldChatMember = "old_chat_member"
        case newChatMember = "new_chat_member"
    }
}
