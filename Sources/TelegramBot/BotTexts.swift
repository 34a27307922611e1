import BotConversation
import ExchangeBotCore
import Foundation
import Localization
import TelegramAPIClient

/// Turns what the bot has to say into rendered messages: conversation replies, admin requests and decisions,
/// notifications. Pure; the admin group reads English.
struct BotTexts: Sendable {
    let localizer: Localizer
    static let adminLanguage = Localizer.fallbackLanguage

    /// A conversation reply, split into several messages if it is too long (buttons go on the last).
    func messages(_ reply: Reply, to destination: Destination, language: String) -> [OutgoingMessage] {
        let text = localizer.render(reply.text, language: language)
        let buttons = reply.buttons.map { row in
            row.map { button in
                OutgoingButton(
                    text: button.literal ?? localizer.render(button.caption, language: language),
                    data: button.action.data
                )
            }
        }
        let parts = MessageSplitter.split(text)
        return parts.enumerated().map { index, part in
            let last = index == parts.count - 1
            return OutgoingMessage(
                to: destination,
                text: part,
                buttons: last ? buttons : [],
                forceReply: last && reply.forceReply
            )
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

    /// The request admins decide on, with Approve / Reject buttons.
    func request(key: ExchangeKey, owner: ExchangeBotCore.User, report: ValidationReport?) -> OutgoingMessage {
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
        let body = text(
            "admin.request",
            [
                "id": String(key.id),
                "user": Self.describe(owner),
                "exchange": Self.exchangeName(key),
                "label": EchoBound.cut(key.label, to: EchoBound.label),
                "key": key.maskedAPIKey,
                "permissions": permissions.isEmpty ? none : permissions.joined(separator: ", "),
                "warnings": warnings.isEmpty
                    ? none : EchoBound.cut(warnings.joined(separator: "; "), to: EchoBound.exchangeText),
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

    // MARK: - Owner notifications

    func ownerNotice(_ event: KeyEvent) -> String? {
        let language = localizer.language(for: event.owner.languageCode)
        var arguments = [
            "exchange": Self.exchangeName(event.key),
            "label": EchoBound.cut(event.key.label, to: EchoBound.label),
            "key": event.key.maskedAPIKey,
        ]
        let key: String
        switch event.kind {
        case .submitted, .withdrawn, .relabeled, .serviceAlert:
            return nil
        case .approved(let message):
            key = message == nil ? "notify.approved" : "notify.approved_message"
            arguments["message"] = message.map { EchoBound.cut($0, to: EchoBound.note) }
        case .rejected(let reason):
            key = "notify.rejected"
            arguments["reason"] = EchoBound.cut(reason, to: EchoBound.note)
        case .deactivated(let reason):
            key = "notify.deactivated"
            // Often the exchange's own words.
            arguments["reason"] = EchoBound.cut(reason, to: EchoBound.exchangeText)
        }
        return localizer.text(key, arguments, language: language)
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
