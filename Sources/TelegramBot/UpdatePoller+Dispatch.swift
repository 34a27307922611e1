import BotConversation
import Logging
import TelegramAPIClient

/// Which updates the poller handles, and how each reaches its chat's queue: counted against its sender's inbound
/// budget (``InboundBudget``), into a bounded queue (``ChatQueues``).
extension UpdatePoller {
    /// Whether the bot handles an update of this kind: one of ``allowedUpdates``.
    static func isHandled(_ update: Update) -> Bool {
        update.kind.name.map(allowedUpdates.contains) ?? false
    }

    /// Hands the update to its chat's queue: to be handled, or, for a user over their budget, to be handled
    /// quietly. A chat whose queue is full drops it (logged): it is flooding faster than it can be answered.
    func dispatch(_ update: Update, _ handling: UpdateHandling, budget: InboundBudget?) async {
        let chatID = update.chat?.id ?? update.from?.id ?? 0
        let admission: InboundBudget.Admission
        if let budget, let from = update.from, Self.isCounted(update), !configuration.adminUserIDs.contains(from.id) {
            admission = budget.admit(from.id)
        } else {
            admission = .admitted
        }
        let (router, quiet) = (handling.router, handling.quiet)
        let queued = handling.queues.enqueue(chatID) {
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
