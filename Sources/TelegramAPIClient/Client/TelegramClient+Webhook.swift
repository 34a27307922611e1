/// The webhook methods: an alternative to `getUpdates` in which Telegram posts each update to the bot's URL.
/// The two exclude each other (a set webhook makes `getUpdates` fail with 409).
extension TelegramClient {
    /// Tells Telegram to post updates to `url`, with `secretToken` in the `X-Telegram-Bot-Api-Secret-Token` header
    /// of every post (the only proof a post comes from Telegram: the body is not signed).
    ///
    /// The secret travels in the request body only; neither this client nor its errors ever repeat the body.
    ///
    /// - Parameters:
    ///   - url: The public HTTPS URL (ports 443, 80, 88 or 8443).
    ///   - secretToken: 1–256 characters of `A-Z a-z 0-9 _ -`.
    ///   - allowedUpdates: Kinds to receive; the same list a poller would ask `getUpdates` for.
    ///   - maxConnections: Simultaneous posts Telegram may make, 1–100.
    public func setWebhook(
        url: String,
        secretToken: String,
        allowedUpdates: [String],
        maxConnections: Int
    ) async throws(TelegramError) {
        _ = try await call(
            "setWebhook",
            MethodParameters.SetWebhook(
                url: url,
                secretToken: secretToken,
                allowedUpdates: allowedUpdates,
                maxConnections: maxConnections
            ),
            returning: Bool.self,
            idempotency: .idempotent
        )
    }

    /// Where Telegram posts updates, if anywhere (an empty `url` when the bot polls).
    public func getWebhookInfo() async throws(TelegramError) -> WebhookInfo {
        try await call("getWebhookInfo", MethodParameters.None(), returning: WebhookInfo.self, idempotency: .idempotent)
    }
}

extension MethodParameters {
    struct SetWebhook: Encodable {
        var url: String
        var secretToken: String
        var allowedUpdates: [String]
        var maxConnections: Int

        enum CodingKeys: String, CodingKey {
            case url
            case secretToken = "secret_token"
            case allowedUpdates = "allowed_updates"
            case maxConnections = "max_connections"
        }
    }
}
