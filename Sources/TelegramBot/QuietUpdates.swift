import BotConversation
import ExchangeBotCore
import Foundation
import Localization
import Logging
import TelegramAPIClient

/// Updates from a user over their inbound budget (``InboundBudget``): they leave the inbox with no answer and no
/// work, except the one notice of the window (in a private chat) and the deletion of a message that may hold a
/// credential (the ones the conversation would delete: see ``ConversationMachine/deletions(ifRead:state:now:)``):
/// going quiet must not leave a secret on screen.
struct QuietUpdates: Sendable {
    let store: any BotStore
    let texts: BotTexts
    let calls: ImmediateCalls
    let signal: WakeSignal
    let logger: Logger

    func handle(_ update: Update, notify: Bool) async {
        do {
            var outgoing = [QueuedAction]()
            if case .message(let message) = update.kind, message.chat.type == .private, let from = message.from {
                let now = Date()
                let messageID = Int64(message.messageID)
                let event: ConversationEvent =
                    message.text.map { .textReceived($0, messageID: messageID, chat: .privateChat) }
                    ?? .nonTextReceived(messageID: messageID, chat: .privateChat)
                let state = try await store.conversation(ofUser: from.id) ?? ConversationState(updatedAt: now)
                for id in ConversationMachine.deletions(ifRead: event, state: state, now: now) {
                    await calls.deleteCredentialMessage(chatID: message.chat.id, messageID: id)
                }
            }
            if notify, let from = update.from, update.chat?.id == from.id {
                let language = texts.localizer.language(for: from.languageCode)
                let text = texts.text("inbound.slow_down", language: language)
                outgoing.append(QueuedAction(.send(OutgoingMessage(to: .chat(from.id), text: text))))
            }
            if notify {
                logger.notice(
                    "a user is over the inbound budget; the bot ignores them for the rest of the window",
                    metadata: ["telegram_user": "\(update.from?.id ?? 0)"]
                )
            }
            try await store.commit(BotCommit(handledUpdateID: update.updateID, outgoing: outgoing))
            if !outgoing.isEmpty { signal.wake() }
        } catch is UpdateHandledElsewhere {
            // A lease changed hands: the update's one commit is another instance's, and nothing is left to do here.
            logger.notice("another instance handled this update", metadata: ["update": "\(update.updateID)"])
        } catch {
            logger.error(
                "an ignored update could not be removed; it is handled at the next start",
                metadata: ["update": "\(update.updateID)", "error": "\(error)"]
            )
        }
    }
}
