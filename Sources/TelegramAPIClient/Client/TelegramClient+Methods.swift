import Logging
import ServiceMetrics

/// The Bot API methods this bot uses. Each says whether it may be repeated (see ``RetryPolicy``).
extension TelegramClient {
    /// The bot's own user: checks the token at startup and gives the username for `t.me` links.
    public func getMe() async throws(TelegramError) -> User {
        try await call("getMe", MethodParameters.None(), returning: User.self, idempotency: .idempotent)
    }

    /// Removes any webhook so `getUpdates` may run (a set webhook makes it fail with 409).
    ///
    /// - Parameter dropPendingUpdates: Also forget every update not yet received.
    public func deleteWebhook(dropPendingUpdates: Bool = false) async throws(TelegramError) {
        _ = try await call(
            "deleteWebhook",
            MethodParameters.DeleteWebhook(dropPendingUpdates: dropPendingUpdates),
            returning: Bool.self,
            idempotency: .idempotent
        )
    }

    /// Long-polls for updates; see ``Update`` for how unreadable ones come back.
    ///
    /// Calling with `offset` above an update's id confirms it for good. The same offset again returns the same
    /// updates, so the call is idempotent and retried. A second poller (or a webhook) makes this fail with
    /// ``TelegramError/conflict(_:)``, which is not retried here.
    ///
    /// - Parameters:
    ///   - offset: One more than the highest `update_id` handled; `nil` for the earliest unconfirmed update.
    ///   - limit: 1–100 updates; `nil` for the server's default of 100.
    ///   - timeout: How long the server holds the request open when there is nothing new, in whole seconds (the
    ///     server caps it at 50). The HTTP deadline is this plus ``longPollGrace``.
    ///   - allowedUpdates: Kinds to receive, e.g. ``Update/decodableKinds``; `nil` keeps the server's last setting.
    public func getUpdates(
        offset: Int64? = nil,
        limit: Int? = nil,
        timeout: Duration = .seconds(25),
        allowedUpdates: [String]? = nil
    ) async throws(TelegramError) -> [Update] {
        let seconds = Int(max(timeout.components.seconds, 0))
        let batch = try await call(
            "getUpdates",
            MethodParameters.GetUpdates(
                offset: offset,
                limit: limit,
                timeout: seconds,
                allowedUpdates: allowedUpdates
            ),
            returning: UpdateBatch.self,
            idempotency: .idempotent,
            timeout: .seconds(seconds) + Self.longPollGrace
        )
        if batch.withoutID > 0 {
            logger.error(
                "getUpdates returned elements without a readable update_id; skipped",
                metadata: ["count": "\(batch.withoutID)"]
            )
        }
        ServiceMetrics.updatesReceived(batch.updates.count)
        return batch.updates
    }

    /// Sends a text message.
    ///
    /// Never repeated when the outcome is unknown (a timeout after sending): the user could see it twice. That
    /// failure comes back as `.transport(.outcomeUnknown)` for the caller to report or log.
    ///
    /// - Parameters:
    ///   - text: 1–4096 characters after entity parsing; split longer text with ``MessageSplitter``. With
    ///     `parseMode: .html`, escape every dynamic value with ``HTML/escape(_:)``.
    ///   - replyToMessageID: Sent as `reply_parameters` and delivered even if that message is gone.
    ///   - disableNotification: Deliver silently.
    ///   - disableLinkPreview: Show no preview of the first link in the text. Set it for any text that carries
    ///     what a user typed: a preview fetches the page (telling its owner the chat exists) and shows its
    ///     content as if the bot vouched for it.
    public func sendMessage(
        chatID: Int64,
        text: String,
        parseMode: ParseMode? = nil,
        replyMarkup: ReplyMarkup? = nil,
        replyToMessageID: Int? = nil,
        disableNotification: Bool = false,
        disableLinkPreview: Bool = false
    ) async throws(TelegramError) -> SentMessage {
        try await call(
            "sendMessage",
            MethodParameters.SendMessage(
                chatID: chatID,
                text: text,
                parseMode: parseMode,
                replyMarkup: replyMarkup,
                replyParameters: replyToMessageID.map { MethodParameters.ReplyParameters(messageID: $0) },
                disableNotification: disableNotification ? true : nil,
                linkPreviewOptions: disableLinkPreview ? MethodParameters.LinkPreviewOptions() : nil
            ),
            returning: SentMessage.self,
            idempotency: .notIdempotent
        )
    }

    /// Replaces a message's text. Without `replyMarkup` the message's inline keyboard is removed, as the API does.
    ///
    /// Fails with "message is not modified" when nothing changes;
    /// ``editMessageTextIfChanged(chatID:messageID:text:parseMode:replyMarkup:disableLinkPreview:)`` treats that
    /// as success. `disableLinkPreview`: as for `sendMessage`.
    public func editMessageText(
        chatID: Int64,
        messageID: Int,
        text: String,
        parseMode: ParseMode? = nil,
        replyMarkup: InlineKeyboardMarkup? = nil,
        disableLinkPreview: Bool = false
    ) async throws(TelegramError) -> SentMessage {
        try await call(
            "editMessageText",
            MethodParameters.EditMessageText(
                chatID: chatID,
                messageID: messageID,
                text: text,
                parseMode: parseMode,
                replyMarkup: replyMarkup,
                linkPreviewOptions: disableLinkPreview ? MethodParameters.LinkPreviewOptions() : nil
            ),
            returning: SentMessage.self,
            idempotency: .idempotent
        )
    }

    /// Replaces a message's inline keyboard; `nil` removes it (after an admin decided, say).
    public func editMessageReplyMarkup(
        chatID: Int64,
        messageID: Int,
        replyMarkup: InlineKeyboardMarkup? = nil
    ) async throws(TelegramError) -> SentMessage {
        try await call(
            "editMessageReplyMarkup",
            MethodParameters.EditMessageReplyMarkup(chatID: chatID, messageID: messageID, replyMarkup: replyMarkup),
            returning: SentMessage.self,
            idempotency: .idempotent
        )
    }

    /// Stops the spinner on the user's button and optionally shows a notice. Call it first, before slow work:
    /// the query expires within seconds (then ``TelegramError/isQueryTooOld``).
    ///
    /// - Parameters:
    ///   - text: 0–200 characters.
    ///   - showAlert: A dialog the user must dismiss instead of a toast.
    public func answerCallbackQuery(id: String, text: String? = nil, showAlert: Bool = false)
        async throws(TelegramError)
    {
        _ = try await call(
            "answerCallbackQuery",
            MethodParameters.AnswerCallbackQuery(callbackQueryID: id, text: text, showAlert: showAlert ? true : nil),
            returning: Bool.self,
            idempotency: .idempotent
        )
    }

    /// Deletes a message (the bot's own, or any in a private chat, within 48 hours).
    public func deleteMessage(chatID: Int64, messageID: Int) async throws(TelegramError) {
        _ = try await call(
            "deleteMessage",
            MethodParameters.MessageReference(chatID: chatID, messageID: messageID),
            returning: Bool.self,
            idempotency: .idempotent
        )
    }

    /// A user's membership of a chat; reliable for other users only where the bot is an administrator.
    public func getChatMember(chatID: Int64, userID: Int64) async throws(TelegramError) -> ChatMember {
        try await call(
            "getChatMember",
            MethodParameters.GetChatMember(chatID: chatID, userID: userID),
            returning: ChatMember.self,
            idempotency: .idempotent
        )
    }

    /// Sets the command menu for a scope and language (at most 100 commands).
    ///
    /// - Parameters:
    ///   - scope: `nil` for the API's default scope.
    ///   - languageCode: A two-letter code, or `nil` for users whose language has no dedicated list.
    public func setMyCommands(
        _ commands: [BotCommand],
        scope: BotCommandScope? = nil,
        languageCode: String? = nil
    ) async throws(TelegramError) {
        _ = try await call(
            "setMyCommands",
            MethodParameters.SetMyCommands(commands: commands, scope: scope, languageCode: languageCode),
            returning: Bool.self,
            idempotency: .idempotent
        )
    }
}
