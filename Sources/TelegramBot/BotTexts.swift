import BotConversation
import ExchangeBotCore
import Foundation
import TelegramBotAPI

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
        var permissions = report?.permissions ?? []
        if let report {
            if report.canTrade == true, !permissions.contains(where: { $0.lowercased().contains("trad") }) {
                permissions.append("trade")
            }
            if report.canWithdraw == true { permissions.append("WITHDRAW") }
            if report.ipRestricted == true { permissions.append("IP whitelist") }
        }
        let body = text(
            "admin.request",
            [
                "id": String(key.id),
                "user": Self.describe(owner),
                "exchange": key.exchange?.displayName ?? key.exchangeName,
                "label": key.label,
                "key": key.maskedAPIKey,
                "permissions": permissions.isEmpty ? none : permissions.joined(separator: ", "),
                "warnings": (report?.warnings ?? []).isEmpty ? none : (report?.warnings ?? []).joined(separator: "; "),
            ],
            language: language
        )
        return OutgoingMessage(
            to: .adminChat,
            text: String(body.prefix(MessageSplitter.maxLength - 200)),
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
            message.map { text("admin.decided_approved_message", ["admin": admin, "message": $0]) }
                ?? text("admin.decided_approved", ["admin": admin])
        case .rejected(let reason):
            text("admin.decided_rejected", ["admin": admin, "reason": reason])
        case .withdrawn:
            text("admin.withdrawn")
        case .submitted, .deactivated:
            nil
        }
    }

    // MARK: - Owner notifications

    func ownerNotice(_ event: KeyEvent) -> String? {
        let language = localizer.language(for: event.owner.languageCode)
        var arguments = [
            "exchange": event.key.exchange?.displayName ?? event.key.exchangeName,
            "label": event.key.label,
            "key": event.key.maskedAPIKey,
        ]
        let key: String
        switch event.kind {
        case .submitted, .withdrawn:
            return nil
        case .approved(let message):
            key = message == nil ? "notify.approved" : "notify.approved_message"
            arguments["message"] = message
        case .rejected(let reason):
            key = "notify.rejected"
            arguments["reason"] = reason
        case .deactivated(let reason):
            key = "notify.deactivated"
            arguments["reason"] = reason
        }
        return localizer.text(key, arguments, language: language)
    }

    /// How admins see a user: `@name`, and the ids that find them.
    static func describe(_ user: ExchangeBotCore.User) -> String {
        let name = user.username.map { "@\($0)" } ?? "user \(user.id)"
        return user.telegramID.map { "\(name) (Telegram id \($0))" } ?? name
    }

    /// How a Telegram user is named in the audit log and in "decided by".
    static func callerName(_ user: TelegramBotAPI.User) -> String {
        if let username = user.username, !username.isEmpty { return "@\(username)" }
        let name = [user.firstName, user.lastName ?? ""].joined(separator: " ").trimmingCharacters(in: .whitespaces)
        return name.isEmpty ? "Telegram user \(user.id)" : name
    }
}
