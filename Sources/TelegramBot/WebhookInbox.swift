import BotConversation
import Foundation
import Logging
import ServiceMetrics
import TelegramAPIClient

/// Where the webhook route hands what Telegram posted: stores the update in the bot's inbox, exactly as the poller
/// stores a received batch, and rings the handler.
///
/// Any instance may receive; only the one that handles (the leader, or the only instance) reads the inbox, in
/// `update_id` order per chat. ``receive(_:)`` returns only once the update is committed, so the route answers
/// Telegram 200 only then, and Telegram posts again whatever failed. Its retries of one update are stored once, even
/// those that come after the update was handled, because its 200 got lost (see ``SeenUpdates``).
/// An update that cannot be read, or of a kind the bot does not handle, is logged by id and skipped, as the
/// poller skips it: answered 200, so Telegram does not post it forever.
public struct WebhookInbox: Sendable {
    let store: any BotStore
    let bell: InboxBell
    let logger: Logger

    public init(store: any BotStore, bell: InboxBell, logger: Logger) {
        self.store = store
        self.bell = bell
        self.logger = logger
    }

    /// What became of a post.
    public enum Receipt: Sendable, Equatable {
        /// In the inbox (or received before): it is handled, once.
        case stored
        /// Logged and dropped: unreadable, or of a kind the bot does not handle.
        case skipped
    }

    /// Stores the update `body` holds (its JSON, as Telegram posts it); throws when the store fails, and the post
    /// must then be refused so that Telegram sends it again.
    @discardableResult
    public func receive(_ body: Data) async throws -> Receipt {
        guard let update = Update.lenient(json: body) else {
            logger.error("a webhook post without a readable update_id was skipped")
            return .skipped
        }
        ServiceMetrics.updatesReceived(1)
        guard UpdatePoller.isHandled(update) else {
            if case .undecodable(let reason) = update.kind {
                logger.error(
                    "skipped an update this version cannot read",
                    metadata: ["update": "\(update.updateID)", "reason": "\(reason)"]
                )
            } else {
                logger.notice(
                    "skipped an update the bot does not read",
                    metadata: ["update": "\(update.updateID)", "kind": "\(update.kind.name ?? "")"]
                )
            }
            return .skipped
        }
        let payload = try JSONEncoder().encode(update)
        // The offset is what a poller would confirm after this update. It only matters if the bot is switched back
        // to polling; concurrent posts may set it a little lower than the highest id seen, which only makes
        // Telegram start from its queue's head (it forgets what webhooks delivered).
        let next = update.updateID == .max ? update.updateID : update.updateID + 1
        try await store.receive([ReceivedUpdate(id: update.updateID, payload: payload)], nextOffset: next)
        bell.ring()
        return .stored
    }
}
