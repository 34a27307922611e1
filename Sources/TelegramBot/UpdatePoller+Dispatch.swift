import BotConversation
import Logging
import TelegramBotAPI

/// Which updates the poller handles, and how each reaches its chat's queue: counted against its sender's inbound
/// budget (``InboundBudget``), into a bounded queue (``ChatQueues``).
extension UpdatePoller {
    /// The kind of an update, never its content (a message may hold a secret).
    static func kindName(_ update: Update) -> String {
        switch update.kind {
        case .message: "message"
        case .editedMessage: "edited_message"
        case .callbackQuery: "callback_query"
        case .myChatMember: "my_chat_member"
        case .chatMember: "chat_member"
        case .unknown(let name): name
        case .undecodable(let reason): "undecodable (\(reason))"
        }
    }

    static func isHandled(_ update: Update) -> Bool {
        switch update.kind {
        case .unknown, .undecodable: false
        default: allowedUpdates.contains(kindName(update))
        }
    }

    /// Hands the update to its chat's queue: to be handled, or, for a user over their budget, to be handled
    /// quietly. A chat whose queue is full drops it (logged): it is flooding faster than it can be answered.
    func dispatch(_ update: Update, handler: UpdateHandler, queues: ChatQueues, budget: InboundBudget?) async {
        let chatID = update.chat?.id ?? update.from?.id ?? 0
        let admission: InboundBudget.Admission
        if let budget, let from = update.from, Self.isCounted(update), !configuration.adminUserIDs.contains(from.id) {
            admission = budget.admit(from.id)
        } else {
            admission = .admitted
        }
        let queued = await queues.enqueue(chatID) {
            if admission == .admitted {
                await handler.handle(update)
            } else {
                await handler.handleQuietly(update, notify: admission == .refusedWithNotice)
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
