import BotConversation
import ExchangeBotCore
import Foundation
import TelegramAPIClient

/// The admin group's side: Approve / Reject presses, the reason replies and quick reasons (see `AdminDesk+Reject`),
/// `/pending` and its digest's buttons (``AdminDigest``), `/approve`, `/reject`, `/audit` (see `AdminDesk+Audit`).
///
/// Only admins (``AdminDirectory``) press anything that counts; anyone else gets an alert, and a refused decision
/// is audited.
/// Decisions go through the approval service, whose events edit the request messages and notify the owner
/// (``TelegramNotifier``), so a decision made here and one made over REST look the same in the group.
struct AdminDesk: Sendable {
    let store: any BotStore
    let service: ApprovalService
    let texts: BotTexts
    let admins: AdminDirectory
    let calls: ImmediateCalls
    let signal: WakeSignal

    /// Now, for the requests' ages.
    var now: @Sendable () -> Date = { Date() }

    // MARK: - Buttons

    /// A button pressed in a group: an admin request's in the admin group is decided on; any other is stale.
    func pressed(_ query: CallbackQuery, inAdminChat: Bool, _ update: HandledUpdate) async throws {
        guard inAdminChat, let action = AdminAction(data: query.data ?? "") else {
            await calls.answer(query.id, alert: texts.alert("button.stale"))
            try await commit(update)
            return
        }
        try await pressed(action, query: query, update)
    }

    private func pressed(_ action: AdminAction, query: CallbackQuery, _ update: HandledUpdate) async throws {
        if let refusal = await admins.check(query.from.id).refusal {
            await calls.answer(query.id, alert: texts.alert(refusal.text))
            if action.decides, let keyID = action.keyID {
                await service.recordRefusal(
                    action: action.isApproval ? .approveKey : .rejectKey,
                    keyID: keyID,
                    by: Caller(telegram: query.from),
                    detail: refusal.detail
                )
            }
            try await commit(update)
            return
        }
        switch action {
        case .approve(let keyID, let revision):
            // The decision is one SQLite transaction, quick enough to answer with its outcome: the admin who
            // lost a race sees who won in the alert.
            let replay = try await store.beginOutsideEffect(updateID: update.updateID)
            do {
                _ = try await service.approve(keyID: keyID, by: Caller(telegram: query.from), revision: revision)
                await calls.answer(query.id, alert: nil)
            } catch  where replay && Self.isOwnDecision(error, .approved, by: query.from) {
                await calls.answer(query.id, alert: nil)
            } catch {
                await calls.answer(query.id, alert: refusal(error, keyID: keyID, plain: true))
            }
            try await commit(update)
        case .reject(let keyID, let revision):
            try await askReason(keyID: keyID, revision: revision, query: query, update)
        case .quickReject(let keyID, let revision, let reason):
            try await quickReject(keyID: keyID, revision: revision, reason: reason, query: query, update)
        case .digestPage(let page):
            try await turnPage(to: page, query: query, update)
        case .showCard(let keyID):
            try await showCard(keyID: keyID, query: query, update)
        }
    }

    /// Shows another page of the digest in the message pressed (an edit, harmless to repeat).
    private func turnPage(to page: Int, query: CallbackQuery, _ update: HandledUpdate) async throws {
        await calls.answer(query.id, alert: nil)
        if let message = query.message {
            let requests = try await service.pendingRequests()
            let shown = AdminDigest(texts: texts).page(page, of: requests, now: now())
            await calls.replaceAdminMessage(
                chatID: message.chat.id,
                messageID: message.messageID,
                text: shown.text,
                buttons: shown.buttons
            )
        }
        try await commit(update)
    }

    /// Posts the card of a request listed in the digest, with its Approve / Reject buttons.
    private func showCard(keyID: Int64, query: CallbackQuery, _ update: HandledUpdate) async throws {
        let request = try await service.pendingRequest(keyID: keyID)
        guard let request else {
            let alert: String
            do {
                _ = try await service.pendingKey(keyID)
                alert = texts.alert("admin.no_such_key", ["id": String(keyID)])
            } catch {
                alert = refusal(error, keyID: keyID, plain: true)
            }
            await calls.answer(query.id, alert: alert)
            try await commit(update)
            return
        }
        await calls.answer(query.id, alert: nil)
        let card = texts.request(key: request.key, owner: request.owner, report: request.report, now: now())
        try await commit(update, [QueuedAction(.send(card))])
    }

    // MARK: - Replies and commands

    func command(
        _ command: AdminCommand,
        arguments: String,
        by user: TelegramAPIClient.User,
        _ update: HandledUpdate
    ) async throws {
        guard try await requireAdmin(user, update) else { return }
        let name = command.rawValue
        switch command {
        case .pending:
            try await commit(update, try await pending())
        case .audit:
            try await commit(update, try await audit(arguments, by: user))
        case .approve, .reject:
            let parts = arguments.split(maxSplits: 1, whereSeparator: \.isWhitespace)
            guard let first = parts.first, let keyID = Int64(first.trimmingCharacters(in: ["#"])), keyID > 0 else {
                try await commit(update, [say("admin.\(name)_usage")])
                return
            }
            let text = parts.count > 1 ? String(parts[1]) : nil
            if command == .reject, text == nil {
                try await commit(update, [say("admin.reject_usage")])
                return
            }
            let replay = try await store.beginOutsideEffect(updateID: update.updateID)
            let ack = say(command == .approve ? "admin.approved_ack" : "admin.rejected_ack", ["id": String(keyID)])
            do {
                if command == .approve {
                    _ = try await service.approve(keyID: keyID, by: Caller(telegram: user), message: text)
                } else {
                    _ = try await service.reject(keyID: keyID, by: Caller(telegram: user), reason: text ?? "")
                }
                try await commit(update, [ack])
            } catch  where replay && Self.isOwnDecision(error, command == .approve ? .approved : .rejected, by: user) {
                try await commit(update, [ack])
            } catch {
                try await commit(update, [post(refusal(error, keyID: keyID))])
            }
        }
    }

    /// The open requests as one digest message (see ``AdminDigest``), oldest first.
    private func pending() async throws -> [QueuedAction] {
        let requests = try await service.pendingRequests()
        guard !requests.isEmpty else { return [say("admin.pending_none")] }
        return [QueuedAction(.send(AdminDigest(texts: texts).message(of: requests, now: now())))]
    }

    // MARK: - Helpers

    /// Whether a refusal is "already decided" by this very admin, the same way: after a crash between the
    /// decision and the commit that removes its update, the update is handled again and meets its own decision,
    /// which must pass silently (as it went the first time) instead of being reported as someone else's.
    static func isOwnDecision(_ error: any Error, _ status: KeyStatus, by user: TelegramAPIClient.User) -> Bool {
        guard case .alreadyDecided(let decided, let by)? = error as? ApprovalError else { return false }
        return decided == status && by == Caller.name(of: user)
    }

    /// Why a decision was refused: HTML for a message, or `plain` for a button's alert.
    func refusal(_ failure: any Error, keyID: Int64, plain: Bool = false) -> String {
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

    /// Whether `user` may use the admin group's commands and replies; if not, the update is committed with "only
    /// admins" said in the group (or, when Telegram could not be asked, that nothing was done), and the caller
    /// stops. A button press is guarded apart: it answers with an alert and audits a refused decision.
    func requireAdmin(_ user: TelegramAPIClient.User, _ update: HandledUpdate) async throws -> Bool {
        guard let refusal = await admins.check(user.id).refusal else { return true }
        try await commit(update, [say(refusal.text)])
        return false
    }

    func say(_ key: String, _ arguments: [String: String] = [:]) -> QueuedAction {
        post(texts.text(key, arguments))
    }

    func post(_ text: String) -> QueuedAction {
        QueuedAction(.send(OutgoingMessage(to: .adminChat, text: text)))
    }

    func commit(_ update: HandledUpdate, _ outgoing: [QueuedAction] = []) async throws {
        try await store.commit(update.commit(outgoing: outgoing))
        if !outgoing.isEmpty { signal.wake() }
    }
}

extension AdminAction {
    var isApproval: Bool {
        if case .approve = self { return true }
        return false
    }
}
