import ExchangeBotCore
import Foundation

/// `/exchanges` and the buttons under its cards: one message per key, edited in place after Activate, Deactivate
/// and Delete, so the list never goes stale. A notice's buttons carry the same data as a card's, so a press there
/// turns the notice into the key's card.
extension ConversationMachine {
    // MARK: - Buttons

    /// The key buttons: Activate, Deactivate, Update keys, Delete (and its confirmation), More.
    static func keyButton(_ action: ButtonAction, queryID: String, _ step: inout ConversationState.Step)
        -> [ConversationEffect]
    {
        let answered = ConversationEffect.answerButton(queryID: queryID, alert: nil)
        let stale: [ConversationEffect] = [.answerButton(queryID: queryID, alert: .init("button.stale"))]
        switch action {
        case .activate(let id):
            return [answered, .setActive(keyID: id, active: true)]
        case .deactivate(let id):
            return [answered, .setActive(keyID: id, active: false)]
        case .updateKeys(let id, let exchange):
            guard !isWaitingForService(step) else { return stale }
            step = .awaitingAPIKey(Draft(exchange: exchange, keyID: id))
            return [
                answered,
                .send(Reply(.init("update.ask_api_key", ["exchange": exchange.displayName]), forceReply: true)),
            ]
        case .delete(let id):
            guard !isWaitingForService(step) else { return stale }
            // The confirmation names the key and says whether it trades: the key is read first.
            step = .confirmingDelete(keyID: id)
            return [answered, .showKey(keyID: id)]
        case .confirmDelete(let id):
            guard step == .confirmingDelete(keyID: id) else { return stale }
            step = .idle
            return [answered, .deleteKey(keyID: id)]
        case .cancelDelete(let id):
            guard step == .confirmingDelete(keyID: id) else { return stale }
            step = .idle
            return [answered, .showKey(keyID: id)]
        case .moreKeys(let from):
            return [answered, .listMoreKeys(from: from)]
        default:
            return stale
        }
    }

    /// What a key action came to: the pressed message shows it.
    static func keyActionFinished(_ outcome: ConversationEvent.ActionOutcome, _ step: inout ConversationState.Step)
        -> [ConversationEffect]
    {
        switch outcome {
        case .activeChanged(let key):
            return [.editPressedMessage(card(key))]
        case .shown(let key):
            if step == .confirmingDelete(keyID: key.id) { return [.editPressedMessage(deleteConfirmation(key))] }
            return [.editPressedMessage(card(key))]
        case .removed(let key):
            return [.editPressedMessage(deletedNotice(key))]
        case .deleted(let id):
            return [.editPressedMessage(Reply(.init("keys.deleted", ["id": String(id)])))]
        case .failed(let error):
            if case .confirmingDelete = step, error == .keyNotFound { step = .idle }
            return [.send(Reply(errorText(error, exchange: nil)))]
        }
    }

    // MARK: - Cards

    /// The cards of one page of keys, and a pager with `More` when keys follow. `pressedPager` is set when the
    /// page was asked for with the previous pager's button: that pager loses its button.
    static func keyPage(_ keys: [ExchangeKey], from requested: Int, pressedPager: Bool) -> [ConversationEffect] {
        guard !keys.isEmpty else { return [.send(Reply(.init("keys.none")))] }
        let start = min(max(requested, 0), keys.count)
        let end = min(start + keysPerMessage, keys.count)
        var effects = [ConversationEffect]()
        if pressedPager {
            let shown = max(start - keysPerMessage, 0)
            effects.append(.editPressedMessage(pager(first: shown, last: start, total: keys.count, more: false)))
        }
        effects += keys[start..<end].map { .send(card($0)) }
        if end < keys.count { effects.append(.send(pager(first: start, last: end, total: keys.count, more: true))) }
        return effects
    }

    /// "Keys 1–10 of 23", with `More` while keys follow.
    public static func pager(first: Int, last: Int, total: Int, more: Bool) -> Reply {
        Reply(
            .init("keys.page", ["first": String(first + 1), "last": String(last), "total": String(total)]),
            buttons: more ? [[.localized("button.more", .moreKeys(from: last))]] : []
        )
    }

    /// One key: `Binance · «Main» · vmPU…Eh8A`, where it stands, why it was refused or stopped, and its buttons.
    public static func card(_ key: ExchangeKey) -> Reply {
        Reply(cardTitle(key, "keys.card"), buttons: cardButtons(key), lines: statusLines(key))
    }

    static func cardTitle(_ key: ExchangeKey, _ textKey: String) -> Reply.Text {
        Reply.Text(
            textKey,
            [
                "exchange": exchangeName(key), "label": EchoBound.cut(key.label, to: EchoBound.label),
                "key": key.maskedAPIKey,
            ]
        )
    }

    /// The status line, then the reason and the next step where there is one.
    static func statusLines(_ key: ExchangeKey) -> [Reply.Text] {
        let reason = key.errorMessage.flatMap { $0.isEmpty ? nil : $0 }
        switch key.status {
        case .pending:
            return [.init("keys.status.pending")]
        case .rejected:
            guard let reason else { return [.init("keys.status.rejected"), .init("keys.next.rejected")] }
            return [
                .init("keys.status.rejected"),
                .init("keys.reason.rejected", ["reason": EchoBound.cut(reason, to: EchoBound.note)]),
                .init("keys.next.rejected"),
            ]
        case .approved:
            if key.isActive { return [.init("keys.status.active")] }
            guard let reason else { return [.init("keys.status.inactive")] }
            // Stopped by a health check: it stays approved, inactive, with the check's reason.
            return [
                .init("keys.status.deactivated"), HealthReason.text(for: reason),
                .init("keys.next.deactivated", ["exchange": exchangeName(key)]),
            ]
        }
    }

    /// Activate or Deactivate (approved keys only) and Update keys on the first row, Delete on its own.
    static func cardButtons(_ key: ExchangeKey) -> [[Reply.Button]] {
        var first = [Reply.Button]()
        if key.status == .approved {
            first.append(
                key.isActive
                    ? .localized("button.deactivate", .deactivate(keyID: key.id))
                    : .localized("button.activate", .activate(keyID: key.id))
            )
        }
        if let exchange = key.exchange {
            first.append(.localized("button.update_keys", .updateKeys(keyID: key.id, exchange: exchange)))
        }
        let delete = [Reply.Button.localized("button.delete", .delete(keyID: key.id))]
        return first.isEmpty ? [delete] : [first, delete]
    }

    /// "Delete your Binance key «Main»?", and that it stops trading at once when it trades.
    static func deleteConfirmation(_ key: ExchangeKey) -> Reply {
        Reply(
            cardTitle(key, "delete.confirm"),
            buttons: [
                [
                    .localized("button.delete_yes", .confirmDelete(keyID: key.id)),
                    .localized("button.delete_no", .cancelDelete(keyID: key.id)),
                ]
            ],
            lines: key.status == .approved && key.isActive ? [.init("delete.stops_trading")] : []
        )
    }

    /// Deleted here, and a reminder that the key still works on its exchange until deleted there.
    static func deletedNotice(_ key: ExchangeKey) -> Reply {
        Reply(
            cardTitle(key, "keys.deleted_named"),
            lines: [.init("keys.delete_on_exchange", ["exchange": exchangeName(key)])]
        )
    }
}
