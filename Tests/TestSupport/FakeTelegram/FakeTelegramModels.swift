import Foundation

/// A Telegram account the test plays: it writes to the bot, presses buttons, or administers a group.
public struct FakeUser: Sendable, Hashable {
    /// Up to 52 significant bits in real Telegram, hence `Int64`.
    public var id: Int64
    public var firstName: String
    public var lastName: String?
    public var username: String?
    /// IETF tag as Telegram clients report it; the bot picks its locale from this.
    public var languageCode: String?
    public var isBot: Bool

    public init(
        id: Int64,
        firstName: String,
        lastName: String? = nil,
        username: String? = nil,
        languageCode: String? = "en",
        isBot: Bool = false
    ) {
        self.id = id
        self.firstName = firstName
        self.lastName = lastName
        self.username = username
        self.languageCode = languageCode
        self.isBot = isBot
    }

    /// The `User` object as updates carry it.
    public var json: FakeTelegramValue {
        var members: [String: FakeTelegramValue] = [
            "id": .integer(id), "is_bot": .bool(isBot), "first_name": .string(firstName),
        ]
        if let lastName { members["last_name"] = .string(lastName) }
        if let username { members["username"] = .string(username) }
        if let languageCode { members["language_code"] = .string(languageCode) }
        return .object(members)
    }
}

/// A conversation the bot can be in. Ids follow Telegram's scheme so a bot's sign checks behave as in production:
/// private chat id = user id (positive), basic group `-id`, supergroup `-100…`.
public struct FakeChat: Sendable, Hashable {
    /// `Chat.type`; a bot treats private chats and groups differently (no secrets taken in groups).
    public enum Kind: String, Sendable, Hashable {
        case privateChat = "private"
        case group
        case supergroup
        case channel
    }

    public var id: Int64
    public var kind: Kind
    /// Group title; nil for private chats.
    public var title: String?
    /// Public `@username` (without `@`), so `chat_id: "@name"` resolves.
    public var username: String?
    public var firstName: String?
    public var lastName: String?

    public init(
        id: Int64,
        kind: Kind,
        title: String? = nil,
        username: String? = nil,
        firstName: String? = nil,
        lastName: String? = nil
    ) {
        self.id = id
        self.kind = kind
        self.title = title
        self.username = username
        self.firstName = firstName
        self.lastName = lastName
    }

    /// The one-to-one chat between `user` and the bot; Telegram gives it the user's id.
    public static func privateChat(with user: FakeUser) -> FakeChat {
        FakeChat(
            id: user.id,
            kind: .privateChat,
            username: user.username,
            firstName: user.firstName,
            lastName: user.lastName
        )
    }

    /// A basic group; `id` must be negative (Telegram's `-group_id`).
    public static func group(id: Int64, title: String) -> FakeChat {
        precondition(id < 0, "group chat ids are negative")
        return FakeChat(id: id, kind: .group, title: title)
    }

    /// A supergroup; `id` must be negative, conventionally `-100…`.
    public static func supergroup(id: Int64, title: String, username: String? = nil) -> FakeChat {
        precondition(id < 0, "supergroup chat ids are negative")
        return FakeChat(id: id, kind: .supergroup, title: title, username: username)
    }

    /// Groups and supergroups share the 20-messages-per-minute budget and the admin rules for deleting.
    public var isGroup: Bool { kind == .group || kind == .supergroup }

    /// The `Chat` object as messages carry it.
    public var json: FakeTelegramValue {
        var members: [String: FakeTelegramValue] = ["id": .integer(id), "type": .string(kind.rawValue)]
        if let title { members["title"] = .string(title) }
        if let username { members["username"] = .string(username) }
        if let firstName { members["first_name"] = .string(firstName) }
        if let lastName { members["last_name"] = .string(lastName) }
        return .object(members)
    }
}

/// `ChatMember.status`, which a bot checks before honouring an admin's button press.
public enum FakeChatMemberStatus: String, Sendable, Hashable, CaseIterable {
    case creator
    case administrator
    case member
    case restricted
    case left
    case kicked
}

/// A failure the fake answers instead of handling the request, to exercise the bot's error paths.
public enum FakeTelegramFault: Sendable, Hashable {
    /// 429 "Too Many Requests: retry after N" with `parameters.retry_after` and a `Retry-After` header.
    case tooManyRequests(retryAfter: Int)
    /// 500 answers Telegram's JSON ("Internal Server Error: restart"); 502–504 answer the front proxy's HTML page,
    /// which is what a bot really receives when Telegram's edge is down.
    case serverError(status: Int)
    /// 403 "Forbidden: bot was blocked by the user".
    case blocked
    /// 400 "Bad Request: group chat was upgraded to a supergroup chat" with `parameters.migrate_to_chat_id`.
    case migrated(to: Int64)
    /// Any other Telegram error, e.g. 403 "Forbidden: bot can't initiate conversation with a user".
    case error(code: Int, description: String)
    /// The request is handled (a message is sent), then answered 200 with a body that is not JSON, as a broken
    /// proxy in front of Telegram could: the bot cannot tell what became of its call.
    case garbledSuccess
}

/// How one request ended.
public enum FakeTelegramOutcome: Sendable, Hashable {
    /// HTTP 200; the `result` member as JSON text (text, because raw updates may be deliberately malformed).
    case success(resultJSON: String)
    /// The envelope's `error_code` (equal to the HTTP status) and `description`.
    case failure(code: Int, description: String)
}

/// One request as the fake received and answered it.
public struct FakeTelegramCall: Sendable {
    /// The method name as the bot spelled it; compare case-insensitively (Telegram does).
    public var method: String
    /// GET or POST.
    public var httpMethod: String
    /// Query, form and JSON parameters merged; parameters Telegram documents as JSON-serialized objects
    /// (`reply_markup`, `scope`, `commands`, `allowed_updates`, …) are decoded even when sent as form text.
    public var parameters: [String: FakeTelegramValue]
    /// When the request arrived (a long poll is recorded when it ends, stamped with its start).
    public var time: Date
    public var outcome: FakeTelegramOutcome
    /// The first path segment before `/bot<token>/` when the caller's base URL had one (which process called).
    public var instance: String?

    public init(
        method: String,
        httpMethod: String,
        parameters: [String: FakeTelegramValue],
        time: Date,
        outcome: FakeTelegramOutcome,
        instance: String? = nil
    ) {
        self.method = method
        self.httpMethod = httpMethod
        self.parameters = parameters
        self.time = time
        self.outcome = outcome
        self.instance = instance
    }

    public subscript(parameter: String) -> FakeTelegramValue? { parameters[parameter] }

    /// The HTTP status the bot saw.
    public var statusCode: Int {
        switch outcome {
        case .success: 200
        case .failure(let code, _): code
        }
    }

    public var succeeded: Bool { statusCode == 200 }

    /// The error description, nil on success.
    public var errorDescription: String? {
        if case .failure(_, let description) = outcome { return description }
        return nil
    }

    /// The decoded `result`, nil on failure (or for a deliberately malformed raw update batch).
    public var result: FakeTelegramValue? {
        if case .success(let json) = outcome { return FakeTelegramValue.parse(json) }
        return nil
    }
}

/// One inline button of a message the bot sent, so a test can press a button by its caption.
public struct FakeInlineButton: Sendable, Hashable {
    public var text: String
    public var callbackData: String?
    public var url: String?
}

/// One state of a message: the original, or what an edit made of it.
public struct FakeMessageVersion: Sendable, Hashable {
    /// The text after entity parsing (tags removed, entities decoded), as a Telegram client shows it.
    public var text: String
    /// The text exactly as the bot sent it (with HTML tags when `parseMode` is HTML).
    public var rawText: String
    public var parseMode: String?
    /// `MessageEntity` objects derived from the HTML (offsets in UTF-16 units, as Telegram counts them).
    public var entities: [FakeTelegramValue]
    /// The reply markup in force for this version, decoded; nil when there is none.
    public var replyMarkup: FakeTelegramValue?
    public var time: Date
    /// `sendMessage`, `editMessageText`, `editMessageReplyMarkup`, or `user` for a message a fake user wrote.
    public var method: String
}

/// A message in a chat: written by the bot, or by a fake user (``isOutgoing`` false).
public struct FakeSentMessage: Sendable, Hashable {
    public var chatID: Int64
    public var messageID: Int
    public var from: FakeUser
    /// True when the bot sent it.
    public var isOutgoing: Bool
    /// The message this one answers, as a ForceReply answer does.
    public var replyToMessageID: Int?
    /// Oldest first; the last one is what the chat shows now.
    public var versions: [FakeMessageVersion]
    /// Deleted messages stay listed, so a test can assert that a message holding a secret was removed.
    public var isDeleted: Bool

    /// What the chat shows now, after entity parsing.
    public var text: String { versions.last?.text ?? "" }
    /// The current text as the bot sent it.
    public var rawText: String { versions.last?.rawText ?? "" }
    public var parseMode: String? { versions.last?.parseMode }
    public var replyMarkup: FakeTelegramValue? { versions.last?.replyMarkup }
    public var entities: [FakeTelegramValue] { versions.last?.entities ?? [] }
    /// Earlier versions, oldest first: what edits replaced.
    public var editHistory: [FakeMessageVersion] { Array(versions.dropLast()) }
    public var wasEdited: Bool { versions.count > 1 }

    /// The current inline keyboard, row by row; empty when the message has none.
    public var inlineKeyboard: [[FakeInlineButton]] {
        guard let rows = replyMarkup?["inline_keyboard"]?.arrayValue else { return [] }
        return rows.map { row in
            (row.arrayValue ?? []).map { button in
                FakeInlineButton(
                    text: button["text"]?.stringValue ?? "",
                    callbackData: button["callback_data"]?.stringValue,
                    url: button["url"]?.stringValue
                )
            }
        }
    }

    /// The first inline button with exactly this caption.
    public func button(_ caption: String) -> FakeInlineButton? {
        inlineKeyboard.joined().first { $0.text == caption }
    }

    /// True when the current markup asks the client to reply (ForceReply).
    public var forcesReply: Bool { replyMarkup?["force_reply"]?.boolValue == true }
}

/// A button press the fake delivered, and how the bot answered it.
public struct FakeCallbackQuery: Sendable, Hashable {
    public var id: String
    public var from: FakeUser
    public var chatID: Int64
    public var messageID: Int
    public var data: String
    /// An unanswered press leaves a spinner on the user's button.
    public var isAnswered: Bool
    /// The notification or alert text of the answer.
    public var answerText: String?
    /// Whether the answer asked for a modal alert rather than a toast.
    public var showAlert: Bool
    public var answerURL: String?
}

/// A command list the bot registered with setMyCommands, for one scope and language.
public struct FakeCommandSet: Sendable, Hashable {
    /// The `BotCommandScope` object; `{"type":"default"}` when the bot gave none.
    public var scope: FakeTelegramValue
    /// Empty when the bot gave none.
    public var languageCode: String
    /// Command (without slash) and description pairs, in the bot's order.
    public var commands: [FakeBotCommand]
}

/// One entry of a command menu.
public struct FakeBotCommand: Sendable, Hashable {
    public var command: String
    public var description: String
}

/// Knobs that differ between tests; the defaults are Telegram's behaviour (or the strict reading of it).
public struct FakeTelegramOptions: Sendable {
    /// The bot account getMe reports; its id defaults to the digits before the token's colon.
    public var botFirstName: String
    public var botUsername: String
    /// The first `update_id`; Telegram starts "from a certain positive number", so bots must not assume 1.
    public var firstUpdateID: Int
    /// How long a callback query may wait for its answer. Telegram does not document it; clients give up after
    /// about 15 s. Tests of expiry lower it.
    public var callbackQueryTimeout: Double
    /// Telegram itself keeps an `&` that starts no entity as a literal; the default is stricter, to catch text the
    /// bot forgot to escape.
    public var rejectsBareAmpersand: Bool

    public init(
        botFirstName: String = "Exchange Bot",
        botUsername: String = "exchange_test_bot",
        firstUpdateID: Int = 1,
        callbackQueryTimeout: Double = 15,
        rejectsBareAmpersand: Bool = true
    ) {
        self.botFirstName = botFirstName
        self.botUsername = botUsername
        self.firstUpdateID = firstUpdateID
        self.callbackQueryTimeout = callbackQueryTimeout
        self.rejectsBareAmpersand = rejectsBareAmpersand
    }
}
