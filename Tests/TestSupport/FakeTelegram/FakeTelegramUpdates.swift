import Foundation
import Synchronization

extension FakeTelegramCore {
    /// getUpdates: confirm by offset, then hand out the queue head, holding the request up to `timeout` seconds.
    func getUpdates(_ parameters: FakeTelegramParameters) async throws -> String {
        let offset = parameters.int("offset") ?? 0
        let limit = min(max(parameters.int("limit") ?? 100, 1), 100)
        let timeout = min(max(parameters.double("timeout") ?? 0, 0), 50)
        var allowed: Set<String>??
        if let list = parameters["allowed_updates"] {
            guard let kinds = list.arrayValue?.compactMap(\.stringValue) else {
                throw FakeTelegramFailure.badRequest("can't parse allowed_updates JSON array")
            }
            allowed = .some(kinds.isEmpty ? nil : Set(kinds))
        }
        let generation = try mutate { state -> Result<Int, FakeTelegramFailure> in
            if state.webhook != nil { return .failure(Self.webhookConflict) }
            state.pollGeneration += 1
            state.pollsInProgress += 1
            if let allowed { state.allowedUpdates = allowed }
            if offset > 0 {
                state.updates.removeAll { $0.id < offset }
                state.confirmedOffset = max(state.confirmedOffset, offset)
            } else if offset < 0 {
                state.updates = Array(state.updates.suffix(Int(offset.magnitude)))
            }
            return .success(state.pollGeneration)
        }.get()
        defer { mutate { $0.pollsInProgress -= 1 } }
        let deadline = ContinuousClock.now + .milliseconds(Int((timeout * 1000).rounded()))
        while true {
            let (batch, conflict, version) = state.withLock { state -> ([String]?, Bool, UInt64) in
                let version = signal.version
                if state.pollGeneration != generation { return (nil, true, version) }
                let batch = state.updates.prefix(limit).map(\.json)
                return (batch.isEmpty && !state.stopping ? nil : batch, false, version)
            }
            if conflict { throw FakeTelegramFailure.pollConflict }
            if let batch { return "[" + batch.joined(separator: ",") + "]" }
            if ContinuousClock.now >= deadline || Task.isCancelled { return "[]" }
            await signal.wait(after: version, until: deadline)
        }
    }

    // MARK: The simulated world

    func userMessage(from user: FakeUser, chat: FakeChat, text: String, replyTo: Int?) -> Int {
        mutate { state -> Int in
            state.register(user)
            state.register(chat)
            guard var record = state.chats[chat.id] else { return 0 }
            if record.members[user.id] == nil { record.members[user.id] = .member }
            var entities: [FakeTelegramValue] = []
            if text.hasPrefix("/") {
                let command = text.prefix { !$0.isWhitespace }
                entities.append([
                    "type": "bot_command", "offset": 0, "length": .integer(Int64(command.utf16.count)),
                ])
            }
            let message = FakeSentMessage(
                chatID: chat.id,
                messageID: record.nextMessageID,
                from: user,
                isOutgoing: false,
                replyToMessageID: replyTo,
                versions: [
                    FakeMessageVersion(
                        text: text,
                        rawText: text,
                        parseMode: nil,
                        entities: entities,
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
            let json = Self.messageJSON(message, in: record).json
            state.enqueue(kind: "message") { id in "{\"update_id\":\(id),\"message\":\(json)}" }
            return message.messageID
        }
    }

    func press(from user: FakeUser, chat: FakeChat, messageID: Int, data: String, now: Double) -> String {
        mutate { state -> String in
            state.register(user)
            state.nextCallbackSerial += 1
            let id = String(4_200_000_000_000_000_000 as UInt64 + state.nextCallbackSerial)
            let record = state.chats[chat.id]
            let messageJSON: FakeTelegramValue
            if let record, let message = record.messages.first(where: { $0.messageID == messageID && !$0.isDeleted }) {
                messageJSON = Self.messageJSON(message, in: record)
            } else {
                messageJSON = [
                    "chat": (record?.chat ?? chat).json, "message_id": .integer(Int64(messageID)), "date": 0,
                ]
            }
            let query: FakeTelegramValue = [
                "id": .string(id), "from": user.json, "message": messageJSON,
                "chat_instance": .string(String(UInt64(bitPattern: chat.id &* 2_654_435_761))), "data": .string(data),
            ]
            state.callbackQueries[id] = FakeTelegramState.CallbackRecord(
                query: FakeCallbackQuery(
                    id: id,
                    from: user,
                    chatID: chat.id,
                    messageID: messageID,
                    data: data,
                    isAnswered: false,
                    answerText: nil,
                    showAlert: false,
                    answerURL: nil
                ),
                created: now
            )
            state.callbackOrder.append(id)
            let json = query.json
            state.enqueue(kind: "callback_query") { update in "{\"update_id\":\(update),\"callback_query\":\(json)}" }
            return id
        }
    }

    func enqueueRaw(_ text: String) -> Int? {
        let parsed = FakeTelegramValue.parse(text)
        let kind = parsed?.objectValue?.keys.sorted().first { $0 != "update_id" }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return mutate { state -> Int? in
            state.enqueue(kind: kind) { id in
                guard parsed?["update_id"] == nil, trimmed.hasPrefix("{") else { return text }
                let rest = trimmed.dropFirst().trimmingCharacters(in: .whitespacesAndNewlines)
                return "{\"update_id\":\(id)" + (rest.hasPrefix("}") ? "" : ",") + rest
            }
        }
    }

    func migrate(_ group: FakeChat, to supergroupID: Int64, by user: FakeUser) -> FakeChat {
        let supergroup = FakeChat.supergroup(id: supergroupID, title: group.title ?? "", username: group.username)
        mutate { state in
            state.register(user)
            state.register(group)
            state.register(supergroup)
            guard var old = state.chats[group.id], var new = state.chats[supergroupID] else { return }
            new.members.merge(old.members, uniquingKeysWith: { current, _ in current })
            let date = Int64(Date().timeIntervalSince1970)
            let oldID = old.nextMessageID
            old.nextMessageID += 1
            old.migratedTo = supergroupID
            let newID = new.nextMessageID
            new.nextMessageID += 1
            state.chats[group.id] = old
            state.chats[supergroupID] = new
            let toMessage: FakeTelegramValue = [
                "message_id": .integer(Int64(oldID)), "from": user.json, "chat": group.json, "date": .integer(date),
                "migrate_to_chat_id": .integer(supergroupID),
            ]
            let fromMessage: FakeTelegramValue = [
                "message_id": .integer(Int64(newID)), "from": user.json, "chat": supergroup.json,
                "date": .integer(date), "migrate_from_chat_id": .integer(group.id),
            ]
            state.enqueue(kind: "message") { id in "{\"update_id\":\(id),\"message\":\(toMessage.json)}" }
            state.enqueue(kind: "message") { id in "{\"update_id\":\(id),\"message\":\(fromMessage.json)}" }
        }
        return supergroup
    }
}
