import BotConversation
import ExchangeBotCore
import Foundation
import Logging
import TelegramAPIClient

/// The Bot API call behind each queued action: send, edit in place, close the admin requests.
extension OutgoingSender {
    /// Edits the chat's "Checking…" message into the verdict; without one remembered, sends the verdict.
    func replaceChecking(with message: OutgoingMessage, row: QueuedOutgoing) async -> Retry {
        let checking: PostedMessage?
        do {
            checking = try await store.checkingMessage(chatID: row.lane)
        } catch {
            return .withBackoff
        }
        guard let checking else { return await send(message, row: row, chatID: row.lane) }
        return await edit(message, messageID: Int64(checking.messageID), row: row)
    }

    /// Edits one message in place; one Telegram no longer lets the bot edit (deleted, too old) is sent anew, so the
    /// user still sees where things stand.
    func edit(_ message: OutgoingMessage, messageID: Int64, row: QueuedOutgoing) async -> Retry {
        let chatID = row.lane == OutgoingAction.adminChatLane ? adminChat.id : row.lane
        let markup = InlineKeyboardMarkup(
            message.buttons.map { row in row.map(InlineKeyboardButton.init(outgoing:)) }
        )
        do throws(TelegramError) {
            try await client.editMessageTextIfChanged(
                chatID: chatID,
                messageID: Int(messageID),
                text: message.text,
                parseMode: .html,
                replyMarkup: message.buttons.isEmpty ? nil : markup,
                disableLinkPreview: true
            )
        } catch {
            if let retry = Self.retry(afterPassingFailure: error) { return retry }
            switch error {
            case .badRequest:
                logger.notice(
                    "a message could not be edited; sent anew",
                    metadata: ["chat": "\(chatID)", "error": "\(error)"]
                )
                return await send(message, row: row, chatID: chatID)
            default:
                await finish(row, .abandoned("\(error)"))
                return .no
            }
        }
        await finish(row, .sent(nil))
        return .no
    }

    /// Sends one message; says whether to try again later.
    func send(_ message: OutgoingMessage, row: QueuedOutgoing, chatID: Int64) async -> Retry {
        let markup: ReplyMarkup? =
            if message.forceReply {
                .forceReply(
                    ForceReply(inputFieldPlaceholder: message.replyPlaceholder, selective: message.replySelective)
                )
            } else if !message.buttons.isEmpty {
                .inlineKeyboard(
                    InlineKeyboardMarkup(
                        message.buttons.map { row in row.map(InlineKeyboardButton.init(outgoing:)) }
                    )
                )
            } else {
                nil
            }
        var target = chatID
        for _ in 0..<2 {
            do throws(TelegramError) {
                let sent = try await sendClient.sendMessage(
                    chatID: target,
                    text: message.text,
                    parseMode: .html,
                    replyMarkup: markup,
                    disableLinkPreview: true
                )
                let posted = PostedMessage(chatID: target, messageID: sent.messageID, text: message.text)
                await finish(row, .sent(posted))
                return .no
            } catch {
                switch error {
                case .migrated(let newID) where target < 0:
                    if message.destination == .adminChat { await adminChat.moved(to: newID) }
                    target = newID
                    continue
                case .tooManyRequests(let retryAfter):
                    logger.notice(
                        "Telegram asked to slow down; sending pauses",
                        metadata: ["chat": "\(target)", "retry_after": "\(retryAfter)"]
                    )
                    // Flood control may be for the bot as a whole: hold every send, not just this one.
                    pause(for: max(retryAfter, .seconds(1)))
                    return .after(max(retryAfter, .seconds(1)))
                case .forbidden(let blocked, let description):
                    if blocked || target > 0 {
                        try? await store.setUnreachable(telegramID: target, true, at: Date())
                    }
                    logger.notice(
                        "Telegram refused a message; the chat is marked unreachable",
                        metadata: ["chat": "\(target)", "reason": "\(description)"]
                    )
                    await finish(row, .abandoned(description))
                    return .no
                case .badRequest(let description):
                    logger.error(
                        "Telegram refused a message as malformed; dropped",
                        metadata: ["chat": "\(target)", "reason": "\(description)"]
                    )
                    await finish(row, .abandoned(description))
                    return .no
                case .transport(.outcomeUnknown), .server(502), .server(504), .malformedResponse,
                    .transport(.responseTooLarge):
                    // Sent, but Telegram (or its proxy) did not say what became of it (no answer, a gateway's
                    // error page, or a success whose body cannot be read): it may be on the user's screen, and
                    // sending again could show it twice. The client's retry policy says the same.
                    logger.warning(
                        "a message's delivery is unknown; not repeated",
                        metadata: ["chat": "\(target)", "error": "\(error)"]
                    )
                    await finish(row, .abandoned("outcome unknown: \(error)"))
                    return .no
                default:
                    logger.warning(
                        "a message could not be sent; will retry",
                        metadata: ["chat": "\(target)", "error": "\(error)"]
                    )
                    return .withBackoff
                }
            }
        }
        await finish(row, .abandoned("the chat moved more than once"))
        return .no
    }

    /// Adds the decision's note to every request message of the key in the admin group, so none keeps live
    /// buttons; one that cannot be edited is skipped rather than holding the others back.
    func closeRequests(keyID: Int64, note: String, row: QueuedOutgoing) async -> Retry {
        let posted: [PostedMessage]
        do {
            posted = try await store.requestMessages(ofKey: keyID)
        } catch {
            return .withBackoff
        }
        for message in posted {
            // Cut at a point that keeps the HTML whole: a tag or entity cut in half would make Telegram refuse it.
            let text = MessageSplitter.split(message.text + "\n\n" + note).first ?? note
            do throws(TelegramError) {
                try await client.editMessageTextIfChanged(
                    chatID: message.chatID,
                    messageID: message.messageID,
                    text: text,
                    parseMode: .html,
                    disableLinkPreview: true
                )
            } catch {
                if let retry = Self.retry(afterPassingFailure: error) { return retry }
                // Gone, in a group that moved to a supergroup (old messages stay behind, read-only), or in a chat
                // the bot left: nothing to edit there. The others are still closed.
                logger.notice(
                    "a request message could not be edited; skipped",
                    metadata: ["chat": "\(message.chatID)", "error": "\(error)"]
                )
            }
        }
        await finish(row, .sent(nil))
        return .no
    }
}
