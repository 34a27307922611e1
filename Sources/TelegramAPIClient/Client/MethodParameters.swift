/// The JSON bodies of the methods this client calls, with the API's snake_case names. Optional fields left `nil`
/// are omitted, which the API reads as "default".
enum MethodParameters {
    /// Encodes as `{}`: a struct without properties would otherwise encode nothing at all.
    struct None: Encodable {
        private enum CodingKeys: CodingKey {}

        func encode(to encoder: any Encoder) throws {
            _ = encoder.container(keyedBy: CodingKeys.self)
        }
    }

    struct GetUpdates: Encodable {
        var offset: Int64?
        var limit: Int?
        var timeout: Int
        var allowedUpdates: [String]?

        enum CodingKeys: String, CodingKey {
            case offset
            case limit
            case timeout
            case allowedUpdates = "allowed_updates"
        }
    }

    struct DeleteWebhook: Encodable {
        var dropPendingUpdates: Bool

        enum CodingKeys: String, CodingKey {
            case dropPendingUpdates = "drop_pending_updates"
        }
    }

    struct SendMessage: Encodable {
        var chatID: Int64
        var text: String
        var parseMode: ParseMode?
        var replyMarkup: ReplyMarkup?
        var replyParameters: ReplyParameters?
        var disableNotification: Bool?
        var linkPreviewOptions: LinkPreviewOptions?

        enum CodingKeys: String, CodingKey {
            case chatID = "chat_id"
            case text
            case parseMode = "parse_mode"
            case replyMarkup = "reply_markup"
            case replyParameters = "reply_parameters"
            case disableNotification = "disable_notification"
            case linkPreviewOptions = "link_preview_options"
        }
    }

    /// `link_preview_options` (Bot API 7.0, replacing `disable_web_page_preview`); only "no preview" is used.
    struct LinkPreviewOptions: Encodable {
        var isDisabled = true

        enum CodingKeys: String, CodingKey {
            case isDisabled = "is_disabled"
        }
    }

    /// `reply_parameters`, which replaced `reply_to_message_id` in Bot API 7.0.
    struct ReplyParameters: Encodable {
        var messageID: Int
        /// Send anyway if the message replied to is gone: this bot deletes users' key messages at once.
        var allowSendingWithoutReply = true

        enum CodingKeys: String, CodingKey {
            case messageID = "message_id"
            case allowSendingWithoutReply = "allow_sending_without_reply"
        }
    }

    struct EditMessageText: Encodable {
        var chatID: Int64
        var messageID: Int
        var text: String
        var parseMode: ParseMode?
        var replyMarkup: InlineKeyboardMarkup?
        var linkPreviewOptions: LinkPreviewOptions?

        enum CodingKeys: String, CodingKey {
            case chatID = "chat_id"
            case messageID = "message_id"
            case text
            case parseMode = "parse_mode"
            case replyMarkup = "reply_markup"
            case linkPreviewOptions = "link_preview_options"
        }
    }

    struct EditMessageReplyMarkup: Encodable {
        var chatID: Int64
        var messageID: Int
        var replyMarkup: InlineKeyboardMarkup?

        enum CodingKeys: String, CodingKey {
            case chatID = "chat_id"
            case messageID = "message_id"
            case replyMarkup = "reply_markup"
        }
    }

    struct AnswerCallbackQuery: Encodable {
        var callbackQueryID: String
        var text: String?
        var showAlert: Bool?

        enum CodingKeys: String, CodingKey {
            case callbackQueryID = "callback_query_id"
            case text
            case showAlert = "show_alert"
        }
    }

    struct MessageReference: Encodable {
        var chatID: Int64
        var messageID: Int

        enum CodingKeys: String, CodingKey {
            case chatID = "chat_id"
            case messageID = "message_id"
        }
    }

    struct GetChatMember: Encodable {
        var chatID: Int64
        var userID: Int64

        enum CodingKeys: String, CodingKey {
            case chatID = "chat_id"
            case userID = "user_id"
        }
    }

    struct SetMyCommands: Encodable {
        var commands: [BotCommand]
        var scope: BotCommandScope?
        var languageCode: String?

        enum CodingKeys: String, CodingKey {
            case commands
            case scope
            case languageCode = "language_code"
        }
    }
}
