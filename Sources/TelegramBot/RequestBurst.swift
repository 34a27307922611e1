import BotConversation
import Foundation
import Synchronization

/// Keeps a flood of new requests from flooding the admin group: Telegram lets a bot post 20 messages a minute to a
/// group, so past ``limit`` request cards in a minute the next requests get no card of their own. One notice with a
/// button to the digest (``AdminDigest``, which lists every open request) goes instead, at most one a minute while
/// the flood lasts; cards come back once the minute has room again.
///
/// Counted in memory, per process: after a restart the count starts again, which at worst posts one minute's
/// cards too many (the sender still paces them within Telegram's limits).
final class RequestBurst: Sendable {
    static let limit = 20
    static let window: TimeInterval = 60

    private struct State {
        var cards = [Date]()
        var lastNotice: Date?
    }

    private let state = Mutex(State())

    /// `actions` for one key event with its request card kept, or swapped for the flood notice (or dropped, when
    /// this minute's notice is already queued).
    func throttle(_ actions: [QueuedAction], texts: BotTexts, now: Date) -> [QueuedAction] {
        guard let index = actions.firstIndex(where: \.isRequestCard) else { return actions }
        var result = actions
        switch verdict(now: now) {
        case .card:
            break
        case .notice:
            let notice = OutgoingMessage(
                to: .adminChat,
                text: texts.text("admin.burst"),
                buttons: [
                    [OutgoingButton(text: texts.alert("button.open_digest"), data: AdminAction.digestPage(0).data)]
                ]
            )
            result[index] = QueuedAction(.send(notice), dedupeKey: "burst:\(Int(now.timeIntervalSince1970))")
        case .nothing:
            result.remove(at: index)
        }
        return result
    }

    private enum Verdict {
        case card, notice, nothing
    }

    private func verdict(now: Date) -> Verdict {
        state.withLock { state in
            state.cards.removeAll { now.timeIntervalSince($0) >= Self.window }
            if state.cards.count < Self.limit {
                state.cards.append(now)
                return .card
            }
            if let last = state.lastNotice, now.timeIntervalSince(last) < Self.window { return .nothing }
            state.lastNotice = now
            return .notice
        }
    }
}

extension QueuedAction {
    /// A new request's card for the admin group.
    fileprivate var isRequestCard: Bool {
        guard case .send(let message) = action, case .adminRequest = message.purpose else { return false }
        return true
    }
}
