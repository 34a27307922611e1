import BotConversation
import ExchangeBotCore
import Logging
import TelegramAPIClient

/// How an action ended: recorded in the store, or tried again later.
extension OutgoingSender {
    /// Whether and when a job is tried again.
    enum Retry {
        case no
        /// Telegram named the wait (429 `retry_after`).
        case after(Duration)
        /// A failure that may pass (5xx, no connection).
        case withBackoff
    }

    /// The retry a failed edit asks for when the failure may pass: the wait Telegram named (429, at least a second)
    /// or a backoff (5xx, no connection); `nil` for a refusal, which each caller handles its own way (a message
    /// edit sends the message anew or gives up; closing requests skips that message and goes on with the others).
    static func retry(afterPassingFailure error: TelegramError) -> Retry? {
        switch error {
        case .tooManyRequests(let retryAfter): .after(max(retryAfter, .seconds(1)))
        case .server, .transport: .withBackoff
        default: nil
        }
    }

    /// Records how an action ended; if the store fails, keeps the outcome to record before its lane goes on.
    func finish(_ row: QueuedOutgoing, _ result: OutgoingResult) async {
        do {
            try await store.finishOutgoing(row, result: result)
        } catch {
            logger.error(
                "could not mark an outgoing message done; its chat waits until it is recorded",
                metadata: ["error": "\(error)"]
            )
            unrecorded[row.id] = (row, result)
        }
    }

    /// Tries again to record the outcomes the store refused before.
    func recordOutcomesAgain() async {
        for (id, entry) in unrecorded {
            do {
                try await store.finishOutgoing(entry.row, result: entry.result)
                unrecorded[id] = nil
                logger.notice("an outgoing message's outcome is recorded after all", metadata: ["id": "\(id)"])
            } catch {
                // Still failing: the lane stays held, and this is tried again at the next round.
            }
        }
    }
}
