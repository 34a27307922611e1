import ExchangeBotCore
import Localization
import TelegramAPIClient

/// A notice's subject and bodies in one language.
public struct RenderedMail: Sendable, Equatable {
    public var subject: String
    public var text: String
    public var html: String
}

/// Turns a ``MailNotice`` into the mail's texts with the `mail.*` templates of `locales/`.
///
/// The HTML part uses the templates as they are (values escaped by ``Localizer``), the text part
/// ``Localizer/plainText(_:_:language:)``. Values are cut to a bounded length: a label or a reason another system
/// wrote may be of any size.
public struct MailTexts: Sendable {
    public let localizer: Localizer

    public init(localizer: Localizer) {
        self.localizer = localizer
    }

    public func render(_ notice: MailNotice, username: String?, languageCode: String?) -> RenderedMail {
        let language = localizer.language(for: languageCode)
        let (name, arguments) = Self.template(notice, localizer: localizer, language: language)
        let subject = localizer.plainText("mail.subject.\(name)", arguments, language: language)
        let greeting =
            username.map { ("mail.greeting_named", ["username": Self.cut($0, 100)]) } ?? ("mail.greeting", [:])
        let text = [
            localizer.plainText(greeting.0, greeting.1, language: language),
            localizer.plainText("mail.body.\(name)", arguments, language: language),
            "-- \n" + localizer.plainText("mail.footer", language: language),
        ].joined(separator: "\n\n")
        let paragraphs = [
            localizer.text(greeting.0, greeting.1, language: language),
            localizer.text("mail.body.\(name)", arguments, language: language),
            localizer.text("mail.footer", language: language),
        ].map { "<p>" + $0.replacing("\n", with: "<br>\n") + "</p>" }
        let html =
            "<!DOCTYPE html>\n<html lang=\"\(language)\">\n<head><meta charset=\"utf-8\"><title>"
            + HTML.escape(subject) + "</title></head>\n<body>\n" + paragraphs.joined(separator: "\n")
            + "\n</body>\n</html>\n"
        return RenderedMail(subject: subject, text: text, html: html)
    }

    private static func template(_ notice: MailNotice, localizer: Localizer, language: String)
        -> (String, [String: String])
    {
        func keyArguments(_ key: MailKey) -> [String: String] {
            ["exchange": cut(key.exchange, 60), "label": cut(key.label, 100), "key": cut(key.maskedAPIKey, 40)]
        }
        switch notice {
        case .keyApproved(let key, let message?):
            return ("approved_message", keyArguments(key).merging(["message": cut(message, 2000)]) { $1 })
        case .keyApproved(let key, nil):
            return ("approved", keyArguments(key))
        case .keyRejected(let key, let reason):
            return ("rejected", keyArguments(key).merging(["reason": cut(reason, 2000)]) { $1 })
        case .keyDeactivated(let key, let reason):
            return ("deactivated", keyArguments(key).merging(["reason": cut(reason, 2000)]) { $1 })
        case .telegramLinked(let username):
            let telegram =
                username.map { "@" + cut($0, 64) }
                ?? localizer.plainText("mail.telegram_unnamed", language: language)
            return ("telegram_linked", ["telegram": telegram])
        case .telegramUnlinked:
            return ("telegram_unlinked", [:])
        }
    }

    static func cut(_ text: String, _ limit: Int) -> String {
        text.count > limit ? String(text.prefix(limit)) + "…" : text
    }
}
