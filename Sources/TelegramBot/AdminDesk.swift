import BotConversation
import ExchangeBotCore
import Foundation
import TelegramBotAPI

/// The admin group's side: Approve / Reject presses, the reason replies, `/pending`, `/approve`, `/reject`.
///
/// Only admins (``AdminDirectory``) change anything; anyone else gets an alert, and the refusal is audited.
/// Decisions go through the approval service, whose events edit the request messages and notify the owner
/// (``TelegramNotifier``), so a decision made here and one made over REST look the same in the group.
struct AdminDesk {
    let handler: UpdateHandler
    let chatID: Int64

    private var texts: BotTexts { handler.texts }
    private var service: ApprovalService { handler.service }

    // MARK: - Buttons

    func pressed(_ action: AdminAction, query: CallbackQuery, updateID: Int64) async throws {
        guard await handler.admins.isAdmin(query.from.id) else {
            await handler.answer(query.id, alert: texts.alert("admin.only_admins"))
            await handler.service.recordRefusal(
                action: action.isApproval ? .approveKey : .rejectKey,
                keyID: action.keyID,
                by: caller(query.from),
                detail: "not_admin"
            )
            try await commit(updateID)
            return
        }
        switch action {
        case .approve(let keyID, let revision):
            // The decision is one SQLite transaction, quick enough to answer with its outcome: the admin who
            // lost a race sees who won in the alert.
            let replay = try await handler.store.beginOutsideEffect(updateID: updateID)
            do {
                _ = try await service.approve(keyID: keyID, by: caller(query.from), revision: revision)
                await handler.answer(query.id, alert: nil)
            } catch  where replay && Self.isOwnDecision(error, .approved, by: query.from) {
                await handler.answer(query.id, alert: nil)
            } catch {
                await handler.answer(query.id, alert: refusal(error, keyID: keyID, plain: true))
            }
            try await commit(updateID)
        case .reject(let keyID, let revision):
            let key: ExchangeKey
            do {
                key = try await service.pendingKey(keyID)
                guard key.revision == revision else { throw ApprovalError.requestOutdated }
            } catch {
                await handler.answer(query.id, alert: refusal(error, keyID: keyID, plain: true))
                try await commit(updateID)
                return
            }
            await handler.answer(query.id, alert: nil)
            let prompt = OutgoingMessage(
                to: .adminChat,
                text: texts.text(
                    "admin.ask_reason",
                    [
                        "id": String(key.id), "admin": BotTexts.callerName(query.from),
                        "label": EchoBound.cut(key.label, to: EchoBound.label),
                    ]
                ),
                forceReply: true,
                purpose: .reasonPrompt(keyID: key.id, revision: revision)
            )
            try await commit(updateID, [QueuedAction(.send(prompt))])
        }
    }

    // MARK: - Replies and commands

    /// An admin replied to "reply with the reason": reject with that reason.
    func reasonGiven(
        _ reason: String,
        keyID: Int64,
        revision: String?,
        by user: TelegramBotAPI.User,
        updateID: Int64
    ) async throws {
        guard await handler.admins.isAdmin(user.id) else {
            try await commit(updateID, [say("admin.only_admins")])
            return
        }
        let replay = try await handler.store.beginOutsideEffect(updateID: updateID)
        do {
            _ = try await service.reject(keyID: keyID, by: caller(user), reason: reason, revision: revision)
            try await commit(updateID)
        } catch  where replay && Self.isOwnDecision(error, .rejected, by: user) {
            try await commit(updateID)
        } catch {
            try await commit(updateID, [post(refusal(error, keyID: keyID))])
        }
    }

    func command(_ name: String, arguments: String, by user: TelegramBotAPI.User, updateID: Int64) async throws {
        guard await handler.admins.isAdmin(user.id) else {
            try await commit(updateID, [say("admin.only_admins")])
            return
        }
        switch name {
        case "pending":
            try await commit(updateID, try await pending())
        case "approve", "reject":
            let parts = arguments.split(maxSplits: 1, whereSeparator: \.isWhitespace)
            guard let first = parts.first, let keyID = Int64(first.trimmingCharacters(in: ["#"])), keyID > 0 else {
                try await commit(updateID, [say("admin.\(name)_usage")])
                return
            }
            let text = parts.count > 1 ? String(parts[1]) : nil
            if name == "reject", text == nil {
                try await commit(updateID, [say("admin.reject_usage")])
                return
            }
            let replay = try await handler.store.beginOutsideEffect(updateID: updateID)
            let ack = say(name == "approve" ? "admin.approved_ack" : "admin.rejected_ack", ["id": String(keyID)])
            do {
                if name == "approve" {
                    _ = try await service.approve(keyID: keyID, by: caller(user), message: text)
                } else {
                    _ = try await service.reject(keyID: keyID, by: caller(user), reason: text ?? "")
                }
                try await commit(updateID, [ack])
            } catch  where replay && Self.isOwnDecision(error, name == "approve" ? .approved : .rejected, by: user) {
                try await commit(updateID, [ack])
            } catch {
                try await commit(updateID, [post(refusal(error, keyID: keyID))])
            }
        default:
            try await commit(updateID)
        }
    }

    /// The open requests posted again (the oldest first, a page at a time: the group's send limit is 20 a minute).
    private func pending() async throws -> [QueuedAction] {
        let requests = try await service.pendingRequests()
        guard !requests.isEmpty else { return [say("admin.pending_none")] }
        let page = requests.prefix(Self.pendingPage)
        var actions = page.map { QueuedAction(.send(texts.request(key: $0.key, owner: $0.owner, report: $0.report))) }
        if requests.count > page.count {
            actions.append(say("admin.pending_more", ["count": String(requests.count - page.count)]))
        }
        return actions
    }

    static let pendingPage = 10

    // MARK: - Helpers

    /// Whether a refusal is "already decided" by this very admin, the same way: after a crash between the
    /// decision and the commit that removes its update, the update is handled again and meets its own decision,
    /// which must pass silently (as it went the first time) instead of being reported as someone else's.
    private static func isOwnDecision(_ error: any Error, _ status: KeyStatus, by user: TelegramBotAPI.User) -> Bool {
        guard case .alreadyDecided(let decided, let by)? = error as? ApprovalError else { return false }
        return decided == status && by == BotTexts.callerName(user)
    }

    private func caller(_ user: TelegramBotAPI.User) -> Caller {
        Caller(telegramID: user.id, displayName: BotTexts.callerName(user))
    }

    /// Why a decision was refused: HTML for a message, or `plain` for a button's alert.
    private func refusal(_ failure: any Error, keyID: Int64, plain: Bool = false) -> String {
        let error = (failure as? ApprovalError) ?? .storageFailure
        let render = { (key: String, arguments: [String: String]) -> String in
            plain ? texts.alert(key, arguments) : texts.text(key, arguments)
        }
        switch error {
        case .alreadyDecided(let status, let by):
            return render(
                "admin.already_decided",
                [
                    "id": String(keyID), "status": texts.alert("status.\(status.rawValue)"),
                    "admin": by.map { EchoBound.cut($0, to: EchoBound.name) } ?? texts.alert("admin.someone"),
                ]
            )
        case .keyNotFound:
            return render("admin.no_such_key", ["id": String(keyID)])
        case .requestOutdated:
            return render("admin.request_outdated", ["id": String(keyID)])
        default:
            let text = ConversationMachine.errorText(error, exchange: nil)
            return render(text.key, text.arguments)
        }
    }

    private func say(_ key: String, _ arguments: [String: String] = [:]) -> QueuedAction {
        post(texts.text(key, arguments))
    }

    private func post(_ text: String) -> QueuedAction {
        QueuedAction(.send(OutgoingMessage(to: .adminChat, text: text)))
    }

    private func commit(_ updateID: Int64, _ outgoing: [QueuedAction] = []) async throws {
        try await handler.store.commit(BotCommit(handledUpdateID: updateID, outgoing: outgoing))
        if !outgoing.isEmpty { handler.sender.wake() }
    }
}

extension AdminAction {
    var isApproval: Bool {
        if case .approve = self { return true }
        return false
    }
}
