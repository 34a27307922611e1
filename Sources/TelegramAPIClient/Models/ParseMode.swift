/// How Telegram reads markup in a message's text. This project sends HTML and escapes every dynamic value with
/// ``HTML/escape(_:)``; MarkdownV2 is here for completeness.
public enum ParseMode: String, Codable, Sendable, Hashable {
    case html = "HTML"
    case markdownV2 = "MarkdownV2"
}
