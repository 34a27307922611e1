/// The bot's profile texts: the description in an empty chat ("What can this bot do?") and the short description
/// on its profile and in shared links, each per language.
extension TelegramClient {
    /// Sets the description for users whose language is `languageCode` (`nil`: everyone without a dedicated one);
    /// 0–512 characters, plain text.
    public func setMyDescription(_ description: String, languageCode: String? = nil) async throws(TelegramError) {
        _ = try await call(
            "setMyDescription",
            MethodParameters.SetMyDescription(description: description, languageCode: languageCode),
            returning: Bool.self,
            idempotency: .idempotent
        )
    }

    /// Sets the short description (0–120 characters, plain text) for `languageCode`.
    public func setMyShortDescription(_ description: String, languageCode: String? = nil) async throws(TelegramError) {
        _ = try await call(
            "setMyShortDescription",
            MethodParameters.SetMyShortDescription(shortDescription: description, languageCode: languageCode),
            returning: Bool.self,
            idempotency: .idempotent
        )
    }
}

extension MethodParameters {
    struct SetMyDescription: Encodable {
        var description: String
        var languageCode: String?

        enum CodingKeys: String, CodingKey {
            case description
            case languageCode = "language_code"
        }
    }

    struct SetMyShortDescription: Encodable {
        var shortDescription: String
        var languageCode: String?

        enum CodingKeys: String, CodingKey {
            case shortDescription = "short_description"
            case languageCode = "language_code"
        }
    }
}
