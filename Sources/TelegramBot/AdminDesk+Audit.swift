import BotConversation
import ExchangeBotCore
import Foundation
import Localization
import TelegramAPIClient

/// `/audit ID` in the admin group: the last events of one key from the audit log, one line each (when, from which
/// channel, who, what), newest first, in the language of the admin who asked.
extension AdminDesk {
    /// How many events `/audit` shows.
    static let auditLength = 20
    /// A row's detail is a short note the service wrote; this bounds a line even so.
    static let auditDetailLength = 120

    func audit(_ arguments: String, by admin: TelegramAPIClient.User) async throws -> [QueuedAction] {
        let language = texts.localizer.language(for: admin.languageCode)
        let say = { (key: String, values: [String: String]) in
            post(texts.text(key, values, language: language))
        }
        let first = arguments.split(whereSeparator: \.isWhitespace).first.map(String.init) ?? ""
        guard let keyID = Int64(first.trimmingCharacters(in: ["#"])), keyID > 0 else {
            return [say("admin.audit_usage", [:])]
        }
        let page = try await service.auditTrail(AuditQuery(keyID: keyID, limit: Self.auditLength))
        guard !page.records.isEmpty else {
            let known = try await service.keyExists(keyID)
            return [say(known ? "admin.audit_none" : "admin.no_such_key", ["id": String(keyID)])]
        }
        let lines = page.records.map { auditLine($0, language: language) }
        let text = ([texts.text("admin.audit_title", ["id": String(keyID)], language: language)] + lines)
            .joined(separator: "\n")
        return MessageSplitter.split(text).map(post)
    }

    /// `2026-12-07 02:37 UTC · Telegram · @ada: approved the key`, then the row's note; every value escaped.
    private func auditLine(_ record: AuditRecord, language: String) -> String {
        let action = AuditAction(rawValue: record.action)
        let what =
            action.map {
                texts.alert(
                    "admin.audit.action." + $0.rawValue.replacingOccurrences(of: ".", with: "_"),
                    language: language
                )
            }
            ?? EchoBound.cut(record.action, to: EchoBound.name)
        let outcome =
            record.outcome == AuditOutcome.succeeded.rawValue
            ? ""
            : " "
                + texts.alert(
                    "admin.audit.outcome." + (record.outcome == AuditOutcome.refused.rawValue ? "refused" : "failed"),
                    language: language
                )
        var line = texts.text(
            "admin.audit_line",
            [
                "when": Self.auditTime(record.at),
                "channel": texts.alert("admin.audit.channel." + record.channel.rawValue, language: language),
                "who": EchoBound.cut(record.actorName, to: EchoBound.name),
                "what": what + outcome,
            ],
            language: language
        )
        if let detail = record.detail, !detail.isEmpty {
            line += " · " + HTML.escape(EchoBound.cut(detail, to: Self.auditDetailLength))
        }
        return line
    }

    /// Minutes in UTC, the same for every language (the log's own clock).
    static func auditTime(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        let two = { (value: Int?) in String(format: "%02d", value ?? 0) }
        return "\(String(format: "%04d", parts.year ?? 0))-\(two(parts.month))-\(two(parts.day)) "
            + "\(two(parts.hour)):\(two(parts.minute)) UTC"
    }
}
