/// Every way a Bot API call can fail, in the terms a caller acts on.
///
/// The API's `error_code` is "subject to change", so the cases follow what the caller must do (wait, rewrite the
/// chat id, stop notifying the user, give up) and the `description` is kept for the rest. Error texts come from
/// Telegram or the transport; neither carries the token.
public enum TelegramError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Flood control: wait this long, then repeat the same request (429, `parameters.retry_after`). Zero when the
    /// answer named no wait.
    case tooManyRequests(retryAfter: Duration)
    /// The basic group became a supergroup; resend to the new id and remember it (400, `migrate_to_chat_id`).
    case migrated(toChatID: Int64)
    /// Another `getUpdates` is running or a webhook is set (409). The description says which.
    case conflict(String)
    /// The token was revoked or is wrong (401).
    case unauthorized
    /// The bot may not write there: blocked by the user, kicked from the group, user deactivated (403).
    case forbidden(blockedByUser: Bool, description: String)
    /// The request was refused as it stands (400 and other 4xx); retrying the same request cannot help.
    case badRequest(String)
    /// Unknown method, or a malformed token (404).
    case notFound
    /// Telegram or a proxy in front of it failed (5xx).
    case server(status: Int)
    /// No answer arrived; see ``BotAPITransportError`` for whether Telegram may have acted.
    case transport(BotAPITransportError)
    /// An answer arrived that is not the Bot API's JSON, or its `result` is not what the method returns.
    case malformedResponse

    /// Editing with the same text and markup: the message already shows what we wanted, so this is success.
    public var isMessageNotModified: Bool { badRequestMentions("message is not modified") }

    /// Deleting a message that is gone already (deleted by the user, or by an earlier attempt).
    public var isMessageToDeleteNotFound: Bool { badRequestMentions("message to delete not found") }

    /// Editing a message that no longer exists.
    public var isMessageToEditNotFound: Bool { badRequestMentions("message to edit not found") }

    /// Answering a callback query too late (after about 10–15 s) or twice; harmless once the work is done.
    public var isQueryTooOld: Bool {
        badRequestMentions("query is too old") || badRequestMentions("query id is invalid")
    }

    /// The user blocked the bot: stop sending them notifications.
    public var isBlockedByUser: Bool {
        guard case .forbidden(let blocked, _) = self else { return false }
        return blocked
    }

    private func badRequestMentions(_ phrase: String) -> Bool {
        guard case .badRequest(let description) = self else { return false }
        return description.lowercased().contains(phrase)
    }

    /// The case as a metric label: a fixed word per case, never Telegram's text.
    public var metricOutcome: String {
        switch self {
        case .tooManyRequests: "too_many_requests"
        case .migrated: "migrated"
        case .conflict: "conflict"
        case .unauthorized: "unauthorized"
        case .forbidden: "forbidden"
        case .badRequest: "bad_request"
        case .notFound: "not_found"
        case .server: "server_error"
        case .transport: "transport_error"
        case .malformedResponse: "malformed_response"
        }
    }

    public var description: String {
        switch self {
        case .tooManyRequests(let retryAfter): "Telegram: too many requests, retry after \(retryAfter)"
        case .migrated(let chatID): "Telegram: group migrated to supergroup \(chatID)"
        case .conflict(let description): "Telegram: conflict (\(description))"
        case .unauthorized: "Telegram: unauthorized (token revoked or wrong)"
        case .forbidden(_, let description): "Telegram: forbidden (\(description))"
        case .badRequest(let description): "Telegram: bad request (\(description))"
        case .notFound: "Telegram: not found (unknown method or malformed token)"
        case .server(let status): "Telegram: server error \(status)"
        case .transport(let error): "Telegram: \(error)"
        case .malformedResponse: "Telegram: malformed response"
        }
    }
}
