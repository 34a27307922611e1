import BotConversation
import Foundation
import Logging
import ServiceMetrics
import TelegramAPIClient

/// Sends each update to whoever handles its kind and chat: private chats to ``PrivateChat``, groups to
/// ``GroupChat``, admin-group buttons to the ``AdminDesk``; membership changes and the admin group's move to a
/// supergroup are handled here. Every path ends in the update's one commit (``HandledUpdate``).
///
/// Handling that fails (storage busy or failing) is tried again (``StorageRetry``); an update that still fails is
/// parked (see ``BotStore/park(updateID:at:)``): handled at the next start, it would come after newer updates of
/// its chat, out of order and stale. Cut short by shutdown, it stays in the inbox for the next start instead.
struct UpdateRouter: Sendable {
    let store: any BotStore
    let adminChat: AdminChat
    let admins: AdminDirectory
    let privateChat: PrivateChat
    let groupChat: GroupChat
    let desk: AdminDesk
    let logger: Logger
    let now: @Sendable () -> Date

    func handle(_ update: Update) async {
        guard let failure = await StorageRetry.run({ try await route(update) }) else {
            ServiceMetrics.updateHandled()
            return
        }
        if failure is UpdateHandledElsewhere {
            logger.notice("another instance handled this update", metadata: ["update": "\(update.updateID)"])
            return
        }
        if Task.isCancelled {
            logger.notice("an update cut short by shutdown stays queued", metadata: ["update": "\(update.updateID)"])
            return
        }
        ServiceMetrics.updateFailed()
        await park(update, error: failure)
    }

    private func route(_ update: Update) async throws {
        let adminChatID = adminChat.id
        var handled = HandledUpdate(updateID: update.updateID)
        switch update.kind {
        case .message(let message):
            if let from = message.from, !from.isBot, from.id > 0 { handled.writer = from.id }
            if message.chat.id == adminChatID, let newID = message.migrateToChatID {
                await adminChat.moved(to: newID)
            } else if message.migrateFromChatID == adminChatID {
                await adminChat.moved(to: message.chat.id)
            }
            if message.chat.type == .private {
                try await privateChat.message(message, handled)
            } else if message.chat.type.isGroup {
                try await groupChat.message(message, isAdminChat: message.chat.id == adminChatID, handled)
            } else {
                try await store.commit(handled.commit())
            }
        case .callbackQuery(let query):
            if let chat = query.message?.chat, chat.id == adminChatID || chat.type.isGroup {
                try await desk.pressed(query, inAdminChat: chat.id == adminChatID, handled)
            } else {
                try await privateChat.button(query, handled)
            }
        case .myChatMember(let change):
            if change.chat.type == .private {
                let blocked = change.newChatMember.status == .kicked
                try await store.setUnreachable(telegramID: change.chat.id, blocked, at: now())
            } else {
                logger.info(
                    "the bot's membership of a chat changed",
                    metadata: ["chat": "\(change.chat.id)", "status": "\(change.newChatMember.status.rawValue)"]
                )
            }
            try await store.commit(handled.commit())
        case .chatMember(let change):
            if change.chat.id == adminChatID { await admins.forget(change.newChatMember.user.id) }
            try await store.commit(handled.commit())
        case .editedMessage, .unknown, .undecodable:
            try await store.commit(handled.commit())
        }
    }

    /// Sets aside an update whose handling kept failing, with a log line.
    private func park(_ update: Update, error: any Error) async {
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
