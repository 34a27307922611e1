import BotConversation

/// An update being handled, as its commit always carries it: its removal from the inbox and, for a message, its
/// sender reachable again. Whoever handles the update adds what it changed and commits once.
struct HandledUpdate: Sendable {
    let updateID: Int64
    /// The user who wrote (see ``BotCommit/reachable``).
    var writer: Int64?

    /// The update's one commit: its removal from the inbox with everything handling it changed.
    func commit(
        conversations: [Int64: ConversationState] = [:],
        outgoing: [QueuedAction] = [],
        language: (telegramID: Int64, code: String)? = nil
    ) -> BotCommit {
        BotCommit(
            handledUpdateID: updateID,
            conversations: conversations,
            outgoing: outgoing,
            language: language,
            reachable: writer
        )
    }
}
