import BotConversation
import ExchangeBotCore
import Foundation
import Logging
import TelegramAPIClient

/// Webhook mode: Telegram posts updates to the webhook route, which stores them in the inbox; the poller (run
/// only where the bot's updates are handled) sets the webhook at start and reads the inbox instead of calling
/// `getUpdates`.
extension UpdatePoller {
    /// In webhook mode, registers the webhook with the one list of kinds the bot handles. In polling mode, removes
    /// any webhook (polling cannot run beside one), first saying which it replaces: another deployment may have set
    /// it on the same token, and deleting it silently would break that one without a trace.
    func prepareReceiving() async throws(TelegramError) {
        if let webhook = configuration.webhook {
            try await client.setWebhook(
                url: webhook.url.absoluteString,
                secretToken: webhook.secret.exposedValue,
                allowedUpdates: Self.allowedUpdates,
                maxConnections: webhook.maxConnections
            )
            return
        }
        let current = try await client.getWebhookInfo()
        if current.isSet {
            logger.warning(
                "a webhook was set on this bot token; it is removed so polling can run",
                metadata: ["webhook.host": "\(URL(string: current.url)?.host ?? "unreadable URL")"]
            )
        }
        try await client.deleteWebhook(dropPendingUpdates: false)
    }

    /// Reads the inbox whenever the bell rings (an update was stored here or, on PostgreSQL, by another instance)
    /// and every ``BotConfiguration/queueRescanInterval``, handing each update not yet handed over to its chat's
    /// queue, oldest first. A read that failed is tried again after a second.
    ///
    /// One chat's updates reach the inbox one at a time (Telegram posts the next only after the route answered the
    /// last, which it does after the commit), so every read that holds an update also holds the chat's earlier
    /// ones, and handing them over in `update_id` order keeps the chat's order.
    ///
    /// - Parameter dispatched: updates already handed over (by ``resume``): still in the inbox until handled,
    ///   they must not be handed over twice.
    func readInbox(_ handling: UpdateHandling, budget: InboundBudget, dispatched: Set<Int64>) async {
        var dispatched = dispatched
        while !Task.isCancelled {
            var readFailed = false
            do {
                let stored = try await storedUpdates()
                // What left the inbox is handled (or parked) for good: forget it, so the set stays small.
                dispatched.formIntersection(stored.map(\.id))
                for received in stored where !dispatched.contains(received.id) {
                    dispatched.insert(received.id)
                    do {
                        try await dispatchStored(received, handling, budget: budget)
                    } catch is UpdateHandledElsewhere {
                        logger.notice(
                            "another instance handled this update",
                            metadata: ["update": "\(received.id)"]
                        )
                    } catch {
                        logger.error("an unreadable update could not be removed", metadata: ["error": "\(error)"])
                    }
                }
            } catch {
                logger.error("could not read the inbox; retrying", metadata: ["error": "\(error)"])
                readFailed = true
            }
            await bell.wait(upTo: readFailed ? .seconds(1) : configuration.queueRescanInterval)
        }
    }
}
