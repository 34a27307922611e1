import BotConversation
import ExchangeBotCore
import Localization

/// What a key's owner hears when an admin decides it or a health check stops it, in the owner's language, with the
/// buttons for the next step. The buttons carry the same data as a key card's, so the conversation handles a press
/// on a notice as one on the card, and edits the notice into the card.
extension BotTexts {
    /// The owner's notice of `event`, as the messages to queue (one, unless an admin's very long message needs
    /// more); `nil` for events the owner does not hear of.
    func ownerNotice(_ event: KeyEvent, to chatID: Int64) -> [OutgoingMessage]? {
        guard let reply = Self.ownerNotice(event) else { return nil }
        return messages(reply, to: .chat(chatID), language: localizer.language(for: event.owner.languageCode))
    }

    /// The notice as a reply: approved → `Activate`; rejected → the reason, what to do, `Update keys` and
    /// `Delete`; deactivated → why, in words for a key that used to work, and `Update keys`.
    static func ownerNotice(_ event: KeyEvent) -> Reply? {
        let key = event.key
        var arguments = [
            "exchange": exchangeName(key),
            "label": EchoBound.cut(key.label, to: EchoBound.label),
            "key": key.maskedAPIKey,
        ]
        let update: [Reply.Button] =
            key.exchange.map { [.localized("button.update_keys", .updateKeys(keyID: key.id, exchange: $0))] } ?? []
        switch event.kind {
        case .submitted, .withdrawn, .relabeled, .serviceAlert:
            return nil
        case .approved(let message):
            arguments["message"] = message.map { EchoBound.cut($0, to: EchoBound.note) }
            return Reply(
                .init(message == nil ? "notify.approved" : "notify.approved_message", arguments),
                buttons: [[.localized("button.activate", .activate(keyID: key.id))]]
            )
        case .rejected(let reason):
            arguments["reason"] = EchoBound.cut(reason, to: EchoBound.note)
            return Reply(
                .init("notify.rejected", arguments),
                buttons: [update + [.localized("button.delete", .delete(keyID: key.id))]]
            )
        case .deactivated(let reason):
            return Reply(
                .init("notify.deactivated", arguments),
                buttons: update.isEmpty ? [] : [update],
                lines: [
                    HealthReason.text(for: reason), .init("notify.deactivated_next", ["exchange": exchangeName(key)]),
                ]
            )
        }
    }
}
