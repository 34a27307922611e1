import Foundation

/// Text after Telegram's entity parsing, with what the bot sent.
struct FakeTelegramContent: Equatable {
    var text: String
    var rawText: String
    var parseMode: String?
    var entities: [FakeTelegramValue]
}

extension FakeTelegramCore {
    func getMe() -> String {
        guard case .object(var members) = bot.json else { return bot.json.json }
        members["can_join_groups"] = true
        members["can_read_all_group_messages"] = false
        members["supports_inline_queries"] = false
        members["can_connect_to_business"] = false
        members["has_main_web_app"] = false
        return FakeTelegramValue.object(members).json
    }

    // MARK: Messages

    func sendMessage(_ parameters: FakeTelegramParameters, state: inout FakeTelegramState, now: Double) throws
        -> String
    {
        let chatID = try resolveChat(parameters["chat_id"], in: state)
        let content = try Self.content(parameters, rejectsBareAmpersand: state.rejectsBareAmpersand)
        let markup = try Self.replyMarkup(parameters["reply_markup"], inlineOnly: false)
        var replyTo = parameters["reply_parameters"]?["message_id"]?.intValue ?? parameters.int("reply_to_message_id")
        if let id = replyTo,
            state.chats[chatID]?.messages.contains(where: { $0.messageID == id && !$0.isDeleted }) != true
        {
            let allowed =
                parameters["reply_parameters"]?["allow_sending_without_reply"]?.boolValue
                ?? parameters.bool("allow_sending_without_reply")
            guard allowed else { throw FakeTelegramFailure.badRequest("message to be replied not found") }
            replyTo = nil
        }
        guard var record = state.chats[chatID] else { throw FakeTelegramFailure.chatNotFound }
        if let retryAfter = state.rateLimiter?.admit(chat: chatID, isGroup: record.chat.isGroup, now: now) {
            throw FakeTelegramFailure.tooManyRequests(retryAfter: retryAfter)
        }
        let message = FakeSentMessage(
            chatID: chatID,
            messageID: record.nextMessageID,
            from: bot,
            isOutgoing: true,
            replyToMessageID: replyTo,
            versions: [
                FakeMessageVersion(
                    text: content.text,
                    rawText: content.rawText,
                    parseMode: content.parseMode,
                    entities: content.entities,
                    replyMarkup: markup,
                    time: Date(),
                    method: "sendMessage"
                )
            ],
            isDeleted: false
        )
        record.nextMessageID += 1
        record.messages.append(message)
        state.chats[chatID] = record
        return Self.messageJSON(message, in: record).json
    }

    func editMessageText(_ parameters: FakeTelegramParameters, state: inout FakeTelegramState) throws -> String {
        let (chatID, index) = try editableMessage(parameters, state: state)
        let content = try Self.content(parameters, rejectsBareAmpersand: state.rejectsBareAmpersand)
        let markup = try Self.replyMarkup(parameters["reply_markup"], inlineOnly: true)
        guard var record = state.chats[chatID] else { throw FakeTelegramFailure.chatNotFound }
        let current = record.messages[index]
        if content.text == current.text && content.entities == current.entities
            && markup == Self.inlineMarkup(current.replyMarkup)
        {
            throw Self.notModified
        }
        record.messages[index].versions.append(
            FakeMessageVersion(
                text: content.text,
                rawText: content.rawText,
                parseMode: content.parseMode,
                entities: content.entities,
                replyMarkup: markup,
                time: Date(),
                method: "editMessageText"
            )
        )
        state.chats[chatID] = record
        return Self.messageJSON(record.messages[index], in: record).json
    }

    func editMessageReplyMarkup(_ parameters: FakeTelegramParameters, state: inout FakeTelegramState) throws
        -> String
    {
        let (chatID, index) = try editableMessage(parameters, state: state)
        let markup = try Self.replyMarkup(parameters["reply_markup"], inlineOnly: true)
        guard var record = state.chats[chatID] else { throw FakeTelegramFailure.chatNotFound }
        let current = record.messages[index]
        if markup == Self.inlineMarkup(current.replyMarkup) { throw Self.notModified }
        var version = current.versions[current.versions.count - 1]
        version.replyMarkup = markup
        version.time = Date()
        version.method = "editMessageReplyMarkup"
        record.messages[index].versions.append(version)
        state.chats[chatID] = record
        return Self.messageJSON(record.messages[index], in: record).json
    }

    func deleteMessage(_ parameters: FakeTelegramParameters, state: inout FakeTelegramState) throws -> String {
        let chatID = try resolveChat(parameters["chat_id"], in: state)
        guard let messageID = parameters.int("message_id") else {
            throw FakeTelegramFailure.badRequest("message identifier is not specified")
        }
        guard var record = state.chats[chatID],
            let index = record.messages.firstIndex(where: { $0.messageID == messageID && !$0.isDeleted })
        else { throw FakeTelegramFailure.badRequest("message to delete not found") }
        if !record.messages[index].isOutgoing && record.chat.isGroup {
            let botStatus = record.members[bot.id] ?? .member
            guard botStatus == .administrator || botStatus == .creator else {
                throw FakeTelegramFailure.badRequest("message can't be deleted")
            }
        }
        record.messages[index].isDeleted = true
        state.chats[chatID] = record
        return "true"
    }

    private static let notModified = FakeTelegramFailure.badRequest(
        "message is not modified: specified new message content and reply markup are exactly the same as a current "
            + "content and reply markup of the message"
    )

    private func editableMessage(_ parameters: FakeTelegramParameters, state: FakeTelegramState) throws -> (Int64, Int)
    {
        if parameters["inline_message_id"] != nil, parameters["chat_id"] == nil {
            throw FakeTelegramFailure.badRequest("MESSAGE_ID_INVALID")
        }
        let chatID = try resolveChat(parameters["chat_id"], in: state)
        guard let messageID = parameters.int("message_id") else {
            throw FakeTelegramFailure.badRequest("message identifier is not specified")
        }
        guard let record = state.chats[chatID],
            let index = record.messages.firstIndex(where: { $0.messageID == messageID && !$0.isDeleted })
        else { throw FakeTelegramFailure.badRequest("message to edit not found") }
        guard record.messages[index].isOutgoing else { throw FakeTelegramFailure.badRequest("message can't be edited") }
        return (chatID, index)
    }

    /// `chat_id` as a number or `@username`; a chat the fake does not know is "chat not found".
    func resolveChat(_ value: FakeTelegramValue?, in state: FakeTelegramState) throws -> Int64 {
        guard let value else { throw FakeTelegramFailure.badRequest("chat_id is empty") }
        let id: Int64
        if let text = value.stringValue, text.hasPrefix("@") {
            let name = text.dropFirst().lowercased()
            guard let found = state.chats.values.first(where: { $0.chat.username?.lowercased() == name }) else {
                throw FakeTelegramFailure.chatNotFound
            }
            id = found.chat.id
        } else {
            guard let number = value.int64Value else { throw FakeTelegramFailure.chatNotFound }
            id = number
        }
        guard let record = state.chats[id] else { throw FakeTelegramFailure.chatNotFound }
        if let target = record.migratedTo { throw FakeTelegramFailure.migrated(to: target) }
        return id
    }

    /// `text` and `parse_mode` as Telegram reads them: entities parsed, whitespace trimmed, 1–4096 characters left.
    static func content(_ parameters: FakeTelegramParameters, rejectsBareAmpersand: Bool) throws
        -> FakeTelegramContent
    {
        guard let raw = parameters.string("text"), !raw.isEmpty else {
            throw FakeTelegramFailure.badRequest("message text is empty")
        }
        if raw.utf8.count > 32_768 { throw FakeTelegramFailure.badRequest("text is too long") }
        var parseMode = parameters.string("parse_mode")
        if parseMode?.isEmpty == true { parseMode = nil }
        let parsed: FakeTelegramHTML.Result
        switch parseMode?.lowercased() {
        case nil, "markdown", "markdownv2":
            // Markdown is accepted unchecked: this project's bot sends HTML only.
            parsed = FakeTelegramHTML.trimmed(raw, entities: [])
        case "html":
            do {
                parsed = try FakeTelegramHTML.parse(raw, rejectsBareAmpersand: rejectsBareAmpersand)
            } catch {
                throw FakeTelegramFailure.badRequest("can't parse entities: \(error.message)")
            }
        default:
            throw FakeTelegramFailure.badRequest("unsupported parse_mode")
        }
        if parsed.text.isEmpty { throw FakeTelegramFailure.badRequest("message text is empty") }
        if parsed.text.unicodeScalars.count > 4096 { throw FakeTelegramFailure.badRequest("message is too long") }
        return FakeTelegramContent(
            text: parsed.text,
            rawText: raw,
            parseMode: parseMode,
            entities: parsed.entities
        )
    }

    /// The inline keyboard part of a stored markup; an empty keyboard is no keyboard.
    static func inlineMarkup(_ markup: FakeTelegramValue?) -> FakeTelegramValue? {
        guard let rows = markup?["inline_keyboard"]?.arrayValue,
            rows.contains(where: { !($0.arrayValue ?? []).isEmpty })
        else { return nil }
        return markup
    }

    /// Validates `reply_markup`; edits accept only inline keyboards.
    static func replyMarkup(_ value: FakeTelegramValue?, inlineOnly: Bool) throws -> FakeTelegramValue? {
        guard let value else { return nil }
        let cannotParse = FakeTelegramFailure.badRequest("can't parse reply keyboard markup JSON object")
        guard case .object(let members) = value else { throw cannotParse }
        if let keyboard = members["inline_keyboard"] {
            let shape = FakeTelegramFailure.badRequest(
                "field \"inline_keyboard\" of the InlineKeyboardMarkup should be an Array of Arrays"
            )
            guard let rows = keyboard.arrayValue else { throw shape }
            for row in rows {
                guard let buttons = row.arrayValue else { throw shape }
                for button in buttons { try validateInlineButton(button) }
            }
            return inlineMarkup(value)
        }
        if inlineOnly { throw FakeTelegramFailure.badRequest("inline keyboard expected") }
        if members["force_reply"]?.boolValue == true || members["remove_keyboard"]?.boolValue == true {
            return value
        }
        if let keyboard = members["keyboard"] {
            guard let rows = keyboard.arrayValue, rows.allSatisfy({ $0.arrayValue != nil }) else {
                throw FakeTelegramFailure.badRequest(
                    "field \"keyboard\" of the ReplyKeyboardMarkup should be an Array of Arrays"
                )
            }
            return value
        }
        throw cannotParse
    }

    private static let buttonActions = [
        "url", "callback_data", "web_app", "login_url", "switch_inline_query", "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat", "copy_text", "callback_game", "pay",
    ]

    private static func validateInlineButton(_ button: FakeTelegramValue) throws {
        let prefix = "can't parse inline keyboard button: "
        guard case .object(let members) = button else {
            throw FakeTelegramFailure.badRequest(prefix + "InlineKeyboardButton must be an Object")
        }
        guard members["text"]?.stringValue != nil else {
            throw FakeTelegramFailure.badRequest(prefix + "Field \"text\" must be of type String")
        }
        guard buttonActions.contains(where: { members[$0] != nil }) else {
            throw FakeTelegramFailure.badRequest(prefix + "Text buttons are unallowed in the inline keyboard")
        }
        if let data = members["callback_data"] {
            guard let text = data.stringValue, (1...64).contains(text.utf8.count) else {
                throw FakeTelegramFailure.badRequest("BUTTON_DATA_INVALID")
            }
        }
        if let url = members["url"] {
            guard let text = url.stringValue, !text.isEmpty else {
                throw FakeTelegramFailure.badRequest("BUTTON_URL_INVALID")
            }
        }
    }

    /// A `Message` object; `reply_to_message` is not nested further, as in Telegram.
    static func messageJSON(
        _ message: FakeSentMessage,
        in record: FakeTelegramState.ChatRecord,
        nested: Bool = false
    ) -> FakeTelegramValue {
        let first = message.versions.first?.time ?? Date()
        var members: [String: FakeTelegramValue] = [
            "message_id": .integer(Int64(message.messageID)),
            "from": message.from.json,
            "chat": record.chat.json,
            "date": .integer(Int64(first.timeIntervalSince1970)),
            "text": .string(message.text),
        ]
        if !message.entities.isEmpty { members["entities"] = .array(message.entities) }
        if message.wasEdited, let last = message.versions.last {
            members["edit_date"] = .integer(Int64(last.time.timeIntervalSince1970))
        }
        if let markup = inlineMarkup(message.replyMarkup) { members["reply_markup"] = markup }
        if !nested, let replyID = message.replyToMessageID,
            let replied = record.messages.first(where: { $0.messageID == replyID && !$0.isDeleted })
        {
            members["reply_to_message"] = messageJSON(replied, in: record, nested: true)
        }
        return .object(members)
    }

    // MARK: Callbacks, members, commands

    func answerCallbackQuery(_ parameters: FakeTelegramParameters, state: inout FakeTelegramState, now: Double)
        throws -> String
    {
        guard let id = parameters.string("callback_query_id"), var record = state.callbackQueries[id],
            !record.query.isAnswered, now - record.created <= state.callbackQueryTimeout
        else { throw FakeTelegramFailure.queryTooOld }
        if let text = parameters.string("text"), text.count > 200 {
            throw FakeTelegramFailure.badRequest("MESSAGE_TOO_LONG")
        }
        record.query.isAnswered = true
        record.query.answerText = parameters.string("text")
        record.query.showAlert = parameters.bool("show_alert")
        record.query.answerURL = parameters.string("url")
        state.callbackQueries[id] = record
        return "true"
    }

    func getChatMember(_ parameters: FakeTelegramParameters, state: inout FakeTelegramState) throws -> String {
        let chatID = try resolveChat(parameters["chat_id"], in: state)
        guard let userID = parameters.int64("user_id") else {
            throw FakeTelegramFailure.badRequest("invalid user_id specified")
        }
        guard let record = state.chats[chatID] else { throw FakeTelegramFailure.chatNotFound }
        let user: FakeUser
        if userID == bot.id {
            user = bot
        } else if let known = state.users[userID] {
            user = known
        } else {
            throw FakeTelegramFailure.badRequest("user not found")
        }
        let defaultStatus: FakeChatMemberStatus =
            record.chat.kind == .privateChat && (userID == chatID || userID == bot.id) ? .member : .left
        let status = record.members[userID] ?? (userID == bot.id ? .member : defaultStatus)
        return Self.memberJSON(user: user, status: status, rights: record.rights[userID]).json
    }

    /// The rights an administrator has unless a test gives them others.
    static let defaultAdministratorRights: Set<String> = [
        "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
        "can_change_info", "can_invite_users", "can_pin_messages",
    ]

    /// A `ChatMember` object; `rights` (administrators only) defaults to ``defaultAdministratorRights``.
    static func memberJSON(user: FakeUser, status: FakeChatMemberStatus, rights: Set<String>?) -> FakeTelegramValue {
        var members: [String: FakeTelegramValue] = ["status": .string(status.rawValue), "user": user.json]
        switch status {
        case .creator: members["is_anonymous"] = false
        case .administrator:
            members["is_anonymous"] = false
            members["can_be_edited"] = false
            let granted = rights ?? defaultAdministratorRights
            for right in [
                "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
                "can_change_info", "can_invite_users", "can_pin_messages", "can_promote_members", "can_post_stories",
                "can_edit_stories", "can_delete_stories",
            ] {
                members[right] = .bool(granted.contains(right))
            }
        case .restricted:
            members["is_member"] = true
            members["until_date"] = 0
            members["can_send_messages"] = false
        case .kicked: members["until_date"] = 0
        case .member, .left: break
        }
        return .object(members)
    }

    private func commandScope(_ parameters: FakeTelegramParameters, state: FakeTelegramState) throws
        -> FakeTelegramValue
    {
        guard let scope = parameters["scope"] else { return ["type": "default"] }
        let types = [
            "default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat",
            "chat_administrators", "chat_member",
        ]
        guard let type = scope["type"]?.stringValue, types.contains(type) else {
            throw FakeTelegramFailure.badRequest("unsupported bot command scope type")
        }
        if type.hasPrefix("chat") { _ = try resolveChat(scope["chat_id"], in: state) }
        if type == "chat_member", scope["user_id"]?.int64Value == nil {
            throw FakeTelegramFailure.badRequest("invalid user_id specified")
        }
        return scope
    }

    func setMyCommands(_ parameters: FakeTelegramParameters, state: inout FakeTelegramState) throws -> String {
        guard let list = parameters["commands"]?.arrayValue else {
            throw FakeTelegramFailure.badRequest("can't parse commands JSON object")
        }
        guard list.count <= 100 else { throw FakeTelegramFailure.badRequest("too many commands specified") }
        var commands: [FakeBotCommand] = []
        for entry in list {
            guard let command = entry["command"]?.stringValue, (1...32).contains(command.count),
                command.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") })
            else { throw FakeTelegramFailure.badRequest("BOT_COMMAND_INVALID") }
            guard let description = entry["description"]?.stringValue, (1...256).contains(description.count) else {
                throw FakeTelegramFailure.badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
            }
            commands.append(FakeBotCommand(command: command, description: description))
        }
        let scope = try commandScope(parameters, state: state)
        let language = parameters.string("language_code") ?? ""
        state.commandSets.removeAll { $0.scope == scope && $0.languageCode == language }
        state.commandSets.append(FakeCommandSet(scope: scope, languageCode: language, commands: commands))
        return "true"
    }

    func getMyCommands(_ parameters: FakeTelegramParameters, state: inout FakeTelegramState) throws -> String {
        let scope = try commandScope(parameters, state: state)
        let language = parameters.string("language_code") ?? ""
        let commands =
            state.commandSets.first { $0.scope == scope && $0.languageCode == language }?.commands ?? []
        return FakeTelegramValue.array(
            commands.map { ["command": .string($0.command), "description": .string($0.description)] }
        ).json
    }

    func deleteMyCommands(_ parameters: FakeTelegramParameters, state: inout FakeTelegramState) throws -> String {
        let scope = try commandScope(parameters, state: state)
        let language = parameters.string("language_code") ?? ""
        state.commandSets.removeAll { $0.scope == scope && $0.languageCode == language }
        return "true"
    }

    func sendChatAction(_ parameters: FakeTelegramParameters, state: inout FakeTelegramState) throws -> String {
        _ = try resolveChat(parameters["chat_id"], in: state)
        let actions: Set<String> = [
            "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
            "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
        ]
        guard let action = parameters.string("action"), actions.contains(action) else {
            throw FakeTelegramFailure.badRequest("wrong parameter action in request")
        }
        return "true"
    }
}
