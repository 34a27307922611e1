import BotConversation
import Foundation
import Logging
import TelegramAPIClient

/// Which updates the poller handles, and how each reaches its chat's queue: counted against its sender's inbound
/// budget (``InboundBudget``), into a bounded queue (``ChatQueues``).
extension UpdatePoller {
    /// Whether the bot handles an update of this kind: one of ``allowedUpdates``.
    static func isHandled(_ update: Update) -> Bool {
        update.kind.name.map(allowedUpdates.contains) ?? false
    }

    /// The inbox's unhandled updates, oldest first. Rows no configured key opens are dropped by the store (they can
    /// never be handled) and logged here.
    func storedUpdates() async throws -> [ReceivedUpdate] {
        let (stored, dropped) = try await store.unhandledUpdates()
        if !dropped.isEmpty {
            logger.error(
                "dropped received updates that no configured master key opens",
                metadata: ["updates": "\(dropped.map(String.init).joined(separator: ","))"]
            )
        }
        return stored
    }

    /// Decodes a stored update and ``dispatch(_:_:budget:)``es it; one this version cannot read is removed from the
    /// inbox (it would block nothing, but would be read again at every start). Throws when that removal fails.
    func dispatchStored(_ received: ReceivedUpdate, _ handling: UpdateHandling, budget: InboundBudget?) async throws {
        guard let update = try? JSONDecoder().decode(Update.self, from: received.payload) else {
            logger.error("dropped a stored update this version cannot read", metadata: ["update": "\(received.id)"])
            try await store.commit(BotCommit(handledUpdateID: received.id))
            return
        }
        await dispatch(update, handling, budget: budget)
    }

    /// Hands the update to its chat's queue: to be handled, or, for a user over their budget, to be handled
    /// quietly. A chat whose queue is full drops it (logged): it is flooding faster than it can be answered.
    /// Without a budget (the backlog a restart found in the inbox) nothing is dropped: Telegram was told each of those
    /// updates arrived, so a dropped one is lost. Polling leaves at most a chat's waiting updates and one batch; the
    /// webhook route stores every post, so after a stretch with no leader the backlog can be long. `resume(_:)` holds it
    /// in memory already, and the chat's send limit paces the answers.
    func dispatch(_ update: Update, _ handling: UpdateHandling, budget: InboundBudget?) async {
        let chatID = update.chat?.id ?? update.from?.id ?? 0
        let admission: InboundBudget.Admission
        if let budget, let from = update.from, Self.isCounted(update), !configuration.adminUserIDs.contains(from.id) {
            admission = budget.admit(from.id)
        } else {
            admission = .admitted
        }
        let (router, quiet) = (handling.router, handling.quiet)
        let queued = handling.queues.enqueue(chatID, bounded: budget != nil) {
            if admission == .admitted {
                await router.handle(update)
            } else {
                await quiet.handle(update, notify: admission == .refusedWithNotice)
            }
        }
        guard !queued else { return }
        logger.warning("a chat's queue is full; an update is dropped", metadata: ["chat": "\(chatID)"])
        do {
            try await store.commit(BotCommit(handledUpdateID: update.updateID))
        } catch is UpdateHandledElsewhere {
            logger.notice("another instance handled this update", metadata: ["update": "\(update.updateID)"])
        } catch {
            logger.error("a dropped update could not be removed", metadata: ["error": "\(error)"])
        }
    }

    /// What a user sends counts against their budget; changes of membership (what Telegram reports, often caused
    /// by others) do not.
    private static func isCounted(_ update: Update) -> Bool {
        switch update.kind {
        case .message, .callbackQuery: true
        default: false
        }
    }
}
