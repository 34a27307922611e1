import BotConversation
import Logging
import Synchronization

/// The admin group's id: the one owner of `ADMIN_CHAT_ID` as it stands, read by routing, the command menus, the
/// admin directory and the sender.
///
/// Telegram gives a group a new id when it upgrades it to a supergroup; the bot follows (and stores) the move only
/// from the group `ADMIN_CHAT_ID` names, so pointing `ADMIN_CHAT_ID` at a new group takes the power away from the
/// old one. Reads are a lock, not an actor hop: every update asks.
final class AdminChat: Sendable {
    /// `ADMIN_CHAT_ID`, as configured.
    let configured: Int64
    private let current: Mutex<Int64>
    private let store: any BotStore
    private let logger: Logger

    /// Reads a move stored by an earlier run.
    static func load(configured: Int64, store: any BotStore, logger: Logger) async -> AdminChat {
        let moved = try? await store.adminChatOverride(configured: configured)
        return AdminChat(configured: configured, current: moved ?? configured, store: store, logger: logger)
    }

    private init(configured: Int64, current: Int64, store: any BotStore, logger: Logger) {
        self.configured = configured
        self.current = Mutex(current)
        self.store = store
        self.logger = logger
    }

    /// The group's id as last known.
    var id: Int64 { current.withLock { $0 } }

    /// Telegram moved the group to `chatID`: used from now on, and stored for the next start.
    func moved(to chatID: Int64) async {
        let old = current.withLock { id in
            defer { id = chatID }
            return id
        }
        guard old != chatID else { return }
        logger.notice(
            "the admin group moved to a supergroup; using its new id",
            metadata: ["old": "\(old)", "new": "\(chatID)"]
        )
        do {
            try await store.setAdminChatOverride(chatID, configured: configured)
        } catch {
            logger.error("could not store the admin group's new id", metadata: ["error": "\(error)"])
        }
    }
}
