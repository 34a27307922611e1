import Foundation

/// Reads Telegram's answer envelope: `{ok:true, result}` or `{ok:false, error_code, description, parameters}`.
///
/// The HTTP status equals `error_code` on Telegram's own answers; a proxy's HTML error page has no envelope and is
/// classified by status alone. The body is parsed once: the envelope and its result in one decoding.
enum BotAPIResponse {
    static func result<Result: Decodable>(
        _ type: Result.Type,
        status: Int,
        body: Data
    ) throws(TelegramError) -> Result {
        let envelope = try? JSONDecoder().decode(Envelope<Result>.self, from: body)
        let success = (200..<300).contains(status)
        if success, let envelope, envelope.head.ok {
            guard let result = envelope.result else { throw .malformedResponse }
            return result
        }
        if success && envelope == nil { throw .malformedResponse }
        throw error(status: status, head: envelope?.head)
    }

    static func error(status: Int, head: Head?) -> TelegramError {
        let code = head?.errorCode ?? status
        let description = head?.description ?? "HTTP \(status)"
        // `retry_after` is outside data: a wait of Int.max seconds, added to a clock instant, no longer fits the
        // Int64 seconds of `Duration.components` and traps. No real flood wait lasts a day.
        if let retryAfter = head?.parameters?.retryAfter {
            return .tooManyRequests(retryAfter: .seconds(min(retryAfter, 86_400)))
        }
        if code == 429 { return .tooManyRequests(retryAfter: .zero) }
        if let chatID = head?.parameters?.migrateToChatID { return .migrated(toChatID: chatID) }
        switch code {
        case 401: return .unauthorized
        case 403:
            let blocked = description.lowercased().contains("bot was blocked by the user")
            return .forbidden(blockedByUser: blocked, description: description)
        case 404: return .notFound
        case 409: return .conflict(description)
        case 500...: return .server(status: code)
        case 400..<500: return .badRequest(description)
        default: return .malformedResponse
        }
    }

    struct Head: Decodable {
        var ok: Bool
        var errorCode: Int?
        var description: String?
        var parameters: Parameters?

        enum CodingKeys: String, CodingKey {
            case ok
            case errorCode = "error_code"
            case description
            case parameters
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            ok = try container.decode(Bool.self, forKey: .ok)
            errorCode = try? container.decodeIfPresent(Int.self, forKey: .errorCode)
            description = try? container.decodeIfPresent(String.self, forKey: .description)
            parameters = try? container.decodeIfPresent(Parameters.self, forKey: .parameters)
        }
    }

    /// `ResponseParameters`: why the request failed and what to do about it.
    struct Parameters: Decodable {
        var migrateToChatID: Int64?
        var retryAfter: Int?

        enum CodingKeys: String, CodingKey {
            case migrateToChatID = "migrate_to_chat_id"
            case retryAfter = "retry_after"
        }
    }

    /// The head, and the result when the head says `ok` (`nil` when that result does not read as `Value`).
    private struct Envelope<Value: Decodable>: Decodable {
        var head: Head
        var result: Value?

        private enum CodingKeys: String, CodingKey {
            case result
        }

        init(from decoder: any Decoder) throws {
            head = try Head(from: decoder)
            result =
                head.ok ? try? decoder.container(keyedBy: CodingKeys.self).decode(Value.self, forKey: .result) : nil
        }
    }
}
