import Foundation

extension FakeTelegramServer {
    /// A user sends a photo, with a caption if given; the bot receives a `message` without `text` (the caption is
    /// `caption`, as in Telegram). Like a text, it stays in the chat until deleted.
    ///
    /// - Returns: The new message's id in that chat.
    @discardableResult
    public func sendUserPhoto(from user: FakeUser, chat: FakeChat, caption: String? = nil) -> Int {
        core.userPhoto(from: user, chat: chat, caption: caption)
    }
}

extension FakeTelegramCore {
    func userPhoto(from user: FakeUser, chat: FakeChat, caption: String?) -> Int {
        mutate { state -> Int in
            state.register(user)
            state.register(chat)
            guard var record = state.chats[chat.id] else { return 0 }
            if record.members[user.id] == nil { record.members[user.id] = .member }
            let message = FakeSentMessage(
                chatID: chat.id,
                messageID: record.nextMessageID,
                from: user,
                isOutgoing: false,
                replyToMessageID: nil,
                versions: [
                    FakeMessageVersion(
                        text: caption ?? "",
                        rawText: caption ?? "",
                        parseMode: nil,
                        entities: [],
                        replyMarkup: nil,
                        time: Date(),
                        method: "user"
                    )
                ],
                isDeleted: false
            )
            record.nextMessageID += 1
            record.messages.append(message)
            state.chats[chat.id] = record
            guard case .object(var members) = Self.messageJSON(message, in: record) else { return 0 }
            members["text"] = nil
            members["photo"] = [
                ["file_id": "AgACAgIAAxkBAAIB", "file_unique_id": "AQADzMcxG", "width": 320, "height": 240]
            ]
            if let caption { members["caption"] = .string(caption) }
            let json = FakeTelegramValue.object(members).json
            state.enqueue(kind: "message") { id in "{\"update_id\":\(id),\"message\":\(json)}" }
            return message.messageID
        }
    }
}
