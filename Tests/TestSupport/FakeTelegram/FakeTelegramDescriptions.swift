import Synchronization

extension FakeTelegramServer {
    /// What `setMyDescription` (`kind` "description") and `setMyShortDescription` ("short_description") set, by
    /// language code ("" for the default).
    public func botDescriptions(_ kind: String) -> [String: String] {
        core.state.withLock { state in
            state.descriptions.filter { $0.key.hasPrefix(kind + ":") }
                .reduce(into: [:]) { $0[String($1.key.dropFirst(kind.count + 1))] = $1.value }
        }
    }
}

extension FakeTelegramCore {
    /// `setMyDescription` (up to 512 characters) and `setMyShortDescription` (up to 120), as Telegram checks them.
    func setDescription(
        _ parameters: FakeTelegramParameters,
        kind: String,
        limit: Int,
        state: inout FakeTelegramState
    ) throws -> String {
        let text = parameters.string(kind) ?? ""
        guard text.count <= limit else { throw FakeTelegramFailure.badRequest("BOT_DESCRIPTION_INVALID") }
        let language = parameters.string("language_code") ?? ""
        guard language.isEmpty || (language.count == 2 && language.allSatisfy(\.isLowercase)) else {
            throw FakeTelegramFailure.badRequest("LANG_CODE_INVALID")
        }
        state.descriptions["\(kind):\(language)"] = text
        return "true"
    }
}
