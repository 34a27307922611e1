import BotConversation
import ExchangeBotCore
import Foundation
import Localization
import TelegramAPIClient

/// The admin group's smaller texts: who a user is (a tappable name when they have no `@username`), how long a
/// request has waited, and the open requests' digest.
extension BotTexts {
    /// The owner as HTML: `@name`, or a link that opens their profile (`tg://user?id=…`) when they have no
    /// username, so an admin can still reach them; the ids follow.
    static func describeHTML(_ user: ExchangeBotCore.User) -> String {
        if user.username != nil { return HTML.escape(describe(user)) }
        guard let telegramID = user.telegramID else { return HTML.escape(describe(user)) }
        return "<a href=\"tg://user?id=\(telegramID)\">user \(user.id)</a> (Telegram id \(telegramID))"
    }

    /// A short name for a digest line: `@name`, or the same tappable link.
    static func shortNameHTML(_ user: ExchangeBotCore.User) -> String {
        if let username = user.username { return HTML.escape("@" + EchoBound.cut(username, to: EchoBound.name)) }
        guard let telegramID = user.telegramID else { return "user \(user.id)" }
        return "<a href=\"tg://user?id=\(telegramID)\">user \(user.id)</a>"
    }

    /// A mention of the Telegram user who pressed a button: `@name` when they have one (Telegram's own mention),
    /// otherwise a link to them. Either makes a selective forced reply open the reply box for them alone.
    static func mentionHTML(_ user: TelegramAPIClient.User) -> String {
        if let username = user.username, !username.isEmpty { return HTML.escape("@" + username) }
        return "<a href=\"tg://user?id=\(user.id)\">\(HTML.escape(Caller.name(of: user)))</a>"
    }

    /// When the request was made: the key's last change, which an update or a resubmission resets.
    static func submittedAt(_ key: ExchangeKey) -> Date? {
        key.updatedAt ?? key.createdAt
    }

    /// How long ago `date` was, coarsely: `just now`, `5 min`, `3 h`, `2 d`.
    func age(since date: Date?, now: Date, language: String = BotTexts.adminLanguage) -> String {
        guard let date else { return text("admin.age.unknown", language: language) }
        let minutes = max(0, Int(now.timeIntervalSince(date) / 60))
        switch minutes {
        case 0: return text("admin.age.now", language: language)
        case 1..<60: return text("admin.age.minutes", ["count": String(minutes)], language: language)
        case 60..<(48 * 60): return text("admin.age.hours", ["count": String(minutes / 60)], language: language)
        default: return text("admin.age.days", ["count": String(minutes / (24 * 60))], language: language)
        }
    }

    /// One line of the digest: `#41 @ivan · Binance · «Main» · no IP · 3 h`.
    func digestLine(_ request: PendingRequest, now: Date) -> String {
        var parts = [
            "<b>#\(request.key.id)</b> " + Self.shortNameHTML(request.owner),
            HTML.escape(Self.exchangeName(request.key)),
            HTML.escape("«" + EchoBound.cut(request.key.label, to: EchoBound.label) + "»"),
        ]
        if let report = request.report {
            if report.canWithdraw == true { parts.append(text("admin.flag.withdraw")) }
            if report.withdrawalRightIsUnknown { parts.append(text("admin.flag.withdraw_unknown")) }
            if report.ipRestricted != true { parts.append(text("admin.flag.no_ip")) }
        }
        if Self.isResubmission(request.key) { parts.append(text("admin.flag.resubmitted")) }
        parts.append(age(since: Self.submittedAt(request.key), now: now))
        return parts.joined(separator: " · ")
    }

    /// Whether this key was approved before (its owner chose "Update keys" and sent it again): the fact is an
    /// approval in the audit log, read with the key on both engines (``ExchangeKey/approvedBefore``). A key sent
    /// again after a rejection was never approved, and is not marked.
    static func isResubmission(_ key: ExchangeKey) -> Bool {
        key.approvedBefore == true
    }
}

extension BotTexts {
    /// An admin-group text with `html` values put in as they are (a mention built from escaped parts).
    func text(_ key: String, _ arguments: [String: String], html: [String: String]) -> String {
        localizer.text(key, arguments, html: html, language: Self.adminLanguage)
    }
}
