import BotConversation
import Foundation
import Logging
import TelegramBotAPI

/// The ways an update leaves the inbox without being handled as usual: quietly, for a user over their inbound
/// budget, or parked, when storage keeps failing.
extension UpdateHandler {
    /// An update from a user over their inbound budget (``InboundBudget``): no answer and no work, except the
    /// one notice of the window (in a private chat) and the deletion of a message that may hold a credential (the
    /// conversation is waiting for one): going quiet must not leave a secret on screen.
    func handleQuietly(_ update: Update, notify: Bool) async {
        do {
            var outgoing = [QueuedAction]()
            if case .message(let message) = update.kind, message.chat.type == .private, let from = message.from {
                if message.text != nil, let state = try await store.conversation(ofUser: from.id),
                    ConversationMachine.asksForCredential(state.step)
                {
                    await deleteCredentialMessage(chatID: message.chat.id, messageID: Int64(message.messageID))
                }
            }
            if notify, let from = update.from, update.chat?.id == from.id {
                let text = texts.text("inbound.slow_down", language: language(of: from))
                outgoing.append(QueuedAction(.send(OutgoingMessage(to: .chat(from.id), text: text))))
            }
            if notify {
                logger.notice(
                    "a user is over the inbound budget; the bot ignores them for the rest of the window",
                    metadata: ["telegram_user": "\(update.from?.id ?? 0)"]
                )
            }
            try await store.commit(BotCommit(handledUpdateID: update.updateID, outgoing: outgoing))
            if !outgoing.isEmpty { sender.wake() }
        } catch {
            logger.error(
                "an ignored update could not be removed; it is handled at the next start",
                metadata: ["update": "\(update.updateID)", "error": "\(error)"]
            )
        }
    }

    /// Sets aside an update whose handling kept failing, with a log line.
    func park(_ update: Update, error: any Error) async {
        do {
            try await store.park(updateID: update.updateID, at: now())
            logger.error(
                "an update could not be handled and is parked (kept a week, not handled again)",
                metadata: ["update": "\(update.updateID)", "error": "\(error)"]
            )
        } catch let parking {
            logger.error(
                "an update could not be handled nor parked; it is handled at the next start",
                metadata: ["update": "\(update.updateID)", "error": "\(error)", "parking_error": "\(parking)"]
            )
        }
    }
}
