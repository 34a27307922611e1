import BotConversation
import ExchangeBotCore
import Foundation
import TelegramAPIClient

/// Rejecting: the reason asked of the one admin who pressed Reject, given by a reply or by a quick-reason button.
///
/// The prompt is a selective forced reply that mentions that admin, so Telegram opens the reply box for them alone,
/// and the prompt remembers them (``ReasonPrompt/admin``): a reply from anyone else is not taken as the reason.
/// The quick reasons replace Reject on the card that was pressed; any admin may press one (it is a decision like
/// Approve, audited under their name), so a colleague can finish a rejection the first admin left. Once the key is
/// rejected, its prompts are edited to say the reason was sent.
extension AdminDesk {
    func askReason(keyID: Int64, revision: String, query: CallbackQuery, _ update: HandledUpdate) async throws {
        let key: ExchangeKey
        do {
            key = try await service.pendingKey(keyID)
            guard key.revision == revision else { throw ApprovalError.requestOutdated }
        } catch {
            await calls.answer(query.id, alert: refusal(error, keyID: keyID, plain: true))
            try await commit(update)
            return
        }
        await calls.answer(query.id, alert: nil)
        if let card = query.message {
            await calls.replaceAdminButtons(
                chatID: card.chat.id,
                messageID: card.messageID,
                buttons: quickReasonButtons(keyID: key.id, revision: revision)
            )
        }
        let prompt = OutgoingMessage(
            to: .adminChat,
            text: texts.text(
                "admin.ask_reason",
                ["id": String(key.id), "label": EchoBound.cut(key.label, to: EchoBound.label)],
                html: ["admin": BotTexts.mentionHTML(query.from)]
            ),
            forceReply: true,
            replyPlaceholder: texts.alert("admin.reason_placeholder"),
            replySelective: true,
            purpose: .reasonPrompt(keyID: key.id, revision: revision, admin: query.from.id)
        )
        try await commit(update, [QueuedAction(.send(prompt))])
    }

    /// The card's buttons while a reason is asked: the quick reasons, and Approve for a change of mind.
    func quickReasonButtons(keyID: Int64, revision: String) -> [[OutgoingButton]] {
        let reasons = AdminAction.QuickReason.allCases.map { reason in
            OutgoingButton(
                text: texts.alert(reason.captionKey),
                data: AdminAction.quickReject(keyID: keyID, revision: revision, reason: reason).data
            )
        }
        return [
            Array(reasons.prefix(2)), Array(reasons.dropFirst(2)),
            [
                OutgoingButton(
                    text: texts.alert("button.approve"),
                    data: AdminAction.approve(keyID: keyID, revision: revision).data
                )
            ],
        ]
    }

    func quickReject(
        keyID: Int64,
        revision: String,
        reason: AdminAction.QuickReason,
        query: CallbackQuery,
        _ update: HandledUpdate
    ) async throws {
        let replay = try await store.beginOutsideEffect(updateID: update.updateID)
        let admin = Caller(telegram: query.from)
        do {
            _ = try await service.reject(
                keyID: keyID,
                by: admin,
                reason: texts.alert(reason.textKey),
                revision: revision
            )
            await calls.answer(query.id, alert: nil)
            await closePrompts(keyID: keyID, by: query.from)
        } catch  where replay && Self.isOwnDecision(error, .rejected, by: query.from) {
            await calls.answer(query.id, alert: nil)
            await closePrompts(keyID: keyID, by: query.from)
        } catch {
            await calls.answer(query.id, alert: refusal(error, keyID: keyID, plain: true))
        }
        try await commit(update)
    }

    /// A reply to "reply with the reason": rejects with it, if it comes from the admin asked.
    func reasonGiven(
        _ reason: String,
        prompt: ReasonPrompt,
        by user: TelegramAPIClient.User,
        _ update: HandledUpdate
    ) async throws {
        guard try await requireAdmin(user, update) else { return }
        if let asked = prompt.admin, asked != user.id {
            try await commit(update, [say("admin.reason_not_yours", ["id": String(prompt.keyID)])])
            return
        }
        let replay = try await store.beginOutsideEffect(updateID: update.updateID)
        do {
            _ = try await service.reject(
                keyID: prompt.keyID,
                by: Caller(telegram: user),
                reason: reason,
                revision: prompt.revision
            )
            await closePrompts(keyID: prompt.keyID, by: user)
            try await commit(update)
        } catch  where replay && Self.isOwnDecision(error, .rejected, by: user) {
            await closePrompts(keyID: prompt.keyID, by: user)
            try await commit(update)
        } catch {
            try await commit(update, [post(refusal(error, keyID: prompt.keyID))])
        }
    }

    /// Edits the key's reason prompts to "rejected — reason sent": nothing is left to answer.
    private func closePrompts(keyID: Int64, by admin: TelegramAPIClient.User) async {
        guard let prompts = try? await store.reasonPrompts(ofKey: keyID) else { return }
        let text = texts.text("admin.reason_sent", ["id": String(keyID), "admin": Caller.name(of: admin)])
        for prompt in prompts {
            await calls.replaceAdminMessage(chatID: prompt.chatID, messageID: prompt.messageID, text: text, buttons: [])
        }
    }
}

extension AdminAction.QuickReason {
    /// The locale key of its button's caption.
    var captionKey: String {
        switch self {
        case .noIPWhitelist: "button.quick_reason.no_ip"
        case .withdrawalsEnabled: "button.quick_reason.withdrawals"
        case .wrongAccount: "button.quick_reason.wrong_account"
        case .duplicate: "button.quick_reason.duplicate"
        }
    }
}
