/// What an edit achieved when "nothing to change" is not a failure.
public enum EditOutcome: Sendable, Hashable {
    case edited(SentMessage)
    /// The message already showed exactly this (also the answer to a repeated edit whose first reply was lost).
    case unchanged
}

/// What a delete achieved when "already gone" is not a failure.
public enum DeleteOutcome: Sendable, Hashable {
    case deleted
    /// Deleted before (by the user, or by an earlier attempt whose answer was lost).
    case alreadyGone
}

/// Calls whose "already done" errors are the outcome the caller wanted. Re-rendering a message or cleaning up a
/// secret-bearing message should not need a `catch` for the case where there was nothing left to do.
extension TelegramClient {
    /// ``editMessageText(chatID:messageID:text:parseMode:replyMarkup:disableLinkPreview:)``, with "message is not
    /// modified" as ``EditOutcome/unchanged``.
    @discardableResult
    public func editMessageTextIfChanged(
        chatID: Int64,
        messageID: Int,
        text: String,
        parseMode: ParseMode? = nil,
        replyMarkup: InlineKeyboardMarkup? = nil,
        disableLinkPreview: Bool = false
    ) async throws(TelegramError) -> EditOutcome {
        do throws(TelegramError) {
            return .edited(
                try await editMessageText(
                    chatID: chatID,
                    messageID: messageID,
                    text: text,
                    parseMode: parseMode,
                    replyMarkup: replyMarkup,
                    disableLinkPreview: disableLinkPreview
                )
            )
        } catch  where error.isMessageNotModified {
            return .unchanged
        }
    }

    /// ``editMessageReplyMarkup(chatID:messageID:replyMarkup:)``, with "message is not modified" (the keyboard is
    /// already this one, or already gone) as ``EditOutcome/unchanged``.
    @discardableResult
    public func editMessageReplyMarkupIfChanged(
        chatID: Int64,
        messageID: Int,
        replyMarkup: InlineKeyboardMarkup? = nil
    ) async throws(TelegramError) -> EditOutcome {
        do throws(TelegramError) {
            return .edited(
                try await editMessageReplyMarkup(chatID: chatID, messageID: messageID, replyMarkup: replyMarkup)
            )
        } catch  where error.isMessageNotModified {
            return .unchanged
        }
    }

    /// ``deleteMessage(chatID:messageID:)``, with "message to delete not found" as ``DeleteOutcome/alreadyGone``.
    @discardableResult
    public func deleteMessageIfExists(chatID: Int64, messageID: Int) async throws(TelegramError) -> DeleteOutcome {
        do throws(TelegramError) {
            try await deleteMessage(chatID: chatID, messageID: messageID)
            return .deleted
        } catch  where error.isMessageToDeleteNotFound {
            return .alreadyGone
        }
    }
}
