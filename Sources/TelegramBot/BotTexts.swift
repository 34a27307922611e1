import BotConversation
import ExchangeBotCore
import Foundation
import Localization
import TelegramAPIClient

/// Turns what the bot has to say into rendered messages: conversation replies, admin requests and decisions,
/// notifications. Pure; the admin group reads English.
struct BotTexts: Sendable {
    let localizer: Localizer
    /// `WHITELIST_IPS`, shown under the texts that ask for an IP restriction (``whitelistNote(for:language:)``).
    var whitelistIPs: [String] = []
    static let adminLanguage = Localizer.fallbackLanguage

    /// A conversation reply, split into several messages if it is too long (buttons go on the last).
    func messages(_ reply: Reply, to destination: Destination, language: String) -> [OutgoingMessage] {
        let text = render(reply, language: language)
        let buttons = self.buttons(reply, language: language)
        let parts = MessageSplitter.split(text)
        return parts.enumerated().map { index, part in
            let last = index == parts.count - 1
            return OutgoingMessage(
                to: destination,
                text: part,
                buttons: last ? buttons : [],
                forceReply: last && reply.forceReply,
                replyPlaceholder: last && reply.forceReply ? placeholder(reply, language: language) : nil
            )
        }
    }

    /// Telegram takes 1–64 characters of plain text.
    private func placeholder(_ reply: Reply, language: String) -> String? {
        guard let text = reply.placeholder else { return nil }
        let plain = localizer.plainText(text.key, text.arguments, language: language)
        return plain.isEmpty ? nil : String(plain.prefix(64))
    }

    /// Edits a message the bot sent to `chatID` into `reply` (cut to one message: an edit cannot add more).
    func edit(_ messageID: Int64, into reply: Reply, in chatID: Int64, language: String) -> OutgoingAction {
        let text = render(reply, language: language)
        return .editMessage(
            messageID: messageID,
            OutgoingMessage(
                to: .chat(chatID),
                text: MessageSplitter.split(text).first ?? text,
                buttons: buttons(reply, language: language)
            )
        )
    }

    /// A reply's text and its lines under it, as HTML.
    private func render(_ reply: Reply, language: String) -> String {
        ([reply.text] + reply.lines).map { localizer.render($0, language: language) }.joined(separator: "\n")
            + whitelistNote(for: reply.text.key, language: language)
    }

    private func buttons(_ reply: Reply, language: String) -> [[OutgoingButton]] {
        reply.buttons.map { row in
            row.map { button in
                OutgoingButton(
                    text: button.literal ?? localizer.render(button.caption, language: language),
                    data: button.action.data
                )
            }
        }
    }

    func text(_ key: String, _ arguments: [String: String] = [:], language: String = BotTexts.adminLanguage)
        -> String
    {
        localizer.text(key, arguments, language: language)
    }

    /// Plain text for a button's alert (shown without parsing, so nothing is escaped).
    func alert(_ key: String, _ arguments: [String: String] = [:], language: String = BotTexts.adminLanguage)
        -> String
    {
        localizer.plainText(key, arguments, language: language)
    }

    // MARK: - Admin group

    /// The request admins decide on, with Approve / Reject buttons: how long it has waited at `now`, a mark when
    /// the owner sent the key again, and the owner as a tappable name when they have no username.
    func request(key: ExchangeKey, owner: ExchangeBotCore.User, report: ValidationReport?, now: Date = Date())
        -> OutgoingMessage
    {
        let language = Self.adminLanguage
        let none = text("admin.none")
        // The exchange's own list is bounded; what we found (trade, WITHDRAW, unknown withdrawal right) follows
        // it whole, so no list however long can push those out of sight.
        let reported = report?.permissions ?? []
        var permissions =
            reported.isEmpty ? [] : [EchoBound.cut(reported.joined(separator: ", "), to: EchoBound.exchangeText)]
        if let report {
            if report.canTrade == true, !reported.contains(where: { $0.lowercased().contains("trad") }) {
                permissions.append("trade")
            }
            if report.canWithdraw == true { permissions.append("WITHDRAW") }
            if report.ipRestricted == true { permissions.append("IP whitelist") }
            if report.withdrawalRightIsUnknown { permissions.append(text("admin.withdraw_unknown")) }
        }
        let warnings = report?.warnings ?? []
        let body = localizer.text(
            "admin.request",
            [
                "id": String(key.id),
                "age": age(since: Self.submittedAt(key), now: now),
                "exchange": Self.exchangeName(key),
                "label": EchoBound.cut(key.label, to: EchoBound.label),
                "key": key.maskedAPIKey,
                "permissions": permissions.isEmpty ? none : permissions.joined(separator: ", "),
                "warnings": warnings.isEmpty
                    ? none : EchoBound.cut(warnings.joined(separator: "; "), to: EchoBound.exchangeText),
            ],
            html: [
                "user": Self.describeHTML(owner),
                "resubmitted": Self.isResubmission(key) ? " " + text("admin.resubmitted", language: language) : "",
            ],
            language: language
        )
        return OutgoingMessage(
            to: .adminChat,
            // The values are bounded, so this cut (which keeps the HTML whole) is only a safety net. The margin
            // leaves room for the decision note added when the request is closed.
            text: MessageSplitter.split(body, maxLength: MessageSplitter.maxLength - 1_200).first ?? body,
            buttons: [
                [
                    OutgoingButton(
                        text: text("button.approve"),
                        data: AdminAction.approve(keyID: key.id, revision: key.revision).data
                    ),
                    OutgoingButton(
                        text: text("button.reject"),
                        data: AdminAction.reject(keyID: key.id, revision: key.revision).data
                    ),
                ]
            ],
            purpose: .adminRequest(keyID: key.id)
        )
    }

    /// The line added to a request once decided.
    func decisionNote(_ kind: KeyEvent.Kind, by admin: String) -> String? {
        switch kind {
        case .approved(let message):
            message.map {
                text(
                    "admin.decided_approved_message",
                    [
                        "admin": EchoBound.cut(admin, to: EchoBound.name),
                        "message": EchoBound.cut($0, to: EchoBound.note),
                    ]
                )
            } ?? text("admin.decided_approved", ["admin": EchoBound.cut(admin, to: EchoBound.name)])
        case .rejected(let reason):
            text(
                "admin.decided_rejected",
                [
                    "admin": EchoBound.cut(admin, to: EchoBound.name),
                    "reason": EchoBound.cut(reason, to: EchoBound.note),
                ]
            )
        case .withdrawn:
            text("admin.withdrawn")
        case .submitted, .deactivated, .relabeled, .serviceAlert:
            nil
        }
    }

    /// The exchange's name, or the stored id (bounded: another system may have written anything there).
    static func exchangeName(_ key: ExchangeKey) -> String {
        key.exchange?.displayName ?? EchoBound.cut(key.exchangeName, to: EchoBound.name)
    }

    /// How admins see a user: `@name`, and the ids that find them.
    static func describe(_ user: ExchangeBotCore.User) -> String {
        let name = user.username.map { "@\(EchoBound.cut($0, to: EchoBound.name))" } ?? "user \(user.id)"
        return user.telegramID.map { "\(name) (Telegram id \($0))" } ?? name
    }
}
