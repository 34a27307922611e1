/// Text for messages sent with ``ParseMode/html``.
public enum HTML {
    /// Makes `text` safe to put in an HTML message, between tags or inside a quoted attribute value.
    ///
    /// Telegram requires every `<`, `>` and `&` that is not markup to be an entity, and a user-chosen label such
    /// as `<b>&co` would otherwise be read as markup (or make the whole message fail with "can't parse
    /// entities"). `"` is escaped too, for `href` values. These four are the only named entities Telegram knows.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
