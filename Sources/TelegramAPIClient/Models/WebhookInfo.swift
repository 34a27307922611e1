/// What `getWebhookInfo` reports: where Telegram posts updates, if anywhere.
///
/// Read leniently (only `url` matters to this bot): a bot that polls is told an empty `url`.
public struct WebhookInfo: Decodable, Sendable, Equatable {
    /// The URL Telegram posts updates to; empty when no webhook is set (the bot may poll).
    public var url: String
    /// Updates waiting to be delivered.
    public var pendingUpdateCount: Int
    /// Why the last delivery failed, if it did.
    public var lastErrorMessage: String?

    public init(url: String, pendingUpdateCount: Int = 0, lastErrorMessage: String? = nil) {
        self.url = url
        self.pendingUpdateCount = pendingUpdateCount
        self.lastErrorMessage = lastErrorMessage
    }

    enum CodingKeys: String, CodingKey {
        case url
        case pendingUpdateCount = "pending_update_count"
        case lastErrorMessage = "last_error_message"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        url = try container.decodeIfPresent(String.self, forKey: .url) ?? ""
        pendingUpdateCount = (try? container.decodeIfPresent(Int.self, forKey: .pendingUpdateCount)) ?? 0
        lastErrorMessage = try? container.decodeIfPresent(String.self, forKey: .lastErrorMessage)
    }

    /// Whether a webhook is set: `getUpdates` fails with 409 until it is deleted.
    public var isSet: Bool { !url.isEmpty }
}
