import BotConversation
import ExchangeBotCore
import Foundation

/// The core's ``Notifier`` on Telegram: a key event becomes queued messages (the admin request, the owner's
/// notice, the decision on the request message), which the ``OutgoingSender`` delivers.
///
/// Queuing is idempotent per event (each message's dedupe key names the event's outbox id), so an event the core
/// delivers again after a crash queues nothing new. Decisions made over REST reach Telegram the same way.
public struct TelegramNotifier: Notifier {
    private let store: any BotStore
    private let texts: BotTexts
    private let signal: WakeSignal
    /// Swaps request cards for one digest notice while requests come faster than the group may be sent messages.
    private let burst: RequestBurst

    init(store: any BotStore, texts: BotTexts, signal: WakeSignal, burst: RequestBurst = RequestBurst()) {
        self.store = store
        self.texts = texts
        self.signal = signal
        self.burst = burst
    }

    public func deliver(_ event: KeyEvent) async throws {
        let actions = burst.throttle(Self.actions(for: event, texts: texts), texts: texts, now: Date())
        guard !actions.isEmpty else { return }
        try await store.commit(BotCommit(outgoing: actions))
        signal.wake()
    }

    static func actions(for event: KeyEvent, texts: BotTexts) -> [QueuedAction] {
        let tag = QueuedAction.eventTag(event.outboxID)
        var actions = [QueuedAction]()
        switch event.kind {
        case .submitted(let report), .relabeled(let report):
            // New credentials (or a new label) for a key already requested: the older requests (posted or still
            // queued) are closed first, so no one approves what they no longer show.
            let note =
                if case .relabeled = event.kind {
                    texts.text("admin.relabeled", ["label": EchoBound.cut(event.key.label, to: EchoBound.label)])
                } else {
                    texts.text("admin.superseded")
                }
            actions.append(
                QueuedAction(.closeRequests(keyID: event.key.id, note: note), dedupeKey: "\(tag):supersede")
            )
            let request = texts.request(key: event.key, owner: event.owner, report: report)
            actions.append(QueuedAction(.send(request), dedupeKey: "\(tag):request"))
        case .serviceAlert(let code, let count):
            let alert = texts.text("admin.service_alert_\(code)", ["count": String(count)])
            actions.append(QueuedAction(.send(OutgoingMessage(to: .adminChat, text: alert)), dedupeKey: "\(tag):alert"))
        default:
            break
        }
        if let note = texts.decisionNote(event.kind, by: event.decidedBy?.displayName ?? "an admin") {
            actions.append(QueuedAction(.closeRequests(keyID: event.key.id, note: note), dedupeKey: "\(tag):close"))
        }
        if let chatID = event.owner.telegramID, let notice = texts.ownerNotice(event, to: chatID) {
            for (index, message) in notice.enumerated() {
                let part = index == 0 ? "" : ":\(index)"
                actions.append(QueuedAction(.send(message), dedupeKey: "\(tag):owner\(part)"))
            }
        }
        return actions
    }
}
