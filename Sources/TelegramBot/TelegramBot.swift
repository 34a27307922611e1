import BotConversation
import ExchangeBotCore
import Foundation
import Localization
import Logging
import ServiceLifecycle
import Synchronization
import TelegramAPIClient

/// The Telegram front end, assembled in one step: the approval service it talks to (given the bot's notifier),
/// and the recipe for the services to run (sender, event relay, poller).
///
/// The approval service needs the notifier and the poller needs the service, so the bot makes the service itself
/// from the caller's recipe (`makeService`) once its notifier exists; every object is built complete.
public struct TelegramBot: Sendable {
    /// The approval service, wired to this bot's notifier.
    public let service: ApprovalService
    public let status = BotStatus()
    /// The bot's `@username` once `getMe` told it: what link-code URLs point to.
    public let identity = BotIdentity()
    /// Rung when a webhook post stored an update, and by ``queueChangedElsewhere(_:)`` when another instance stored
    /// one (else the handler finds it within ``BotConfiguration/queueRescanInterval``).
    public let inboxBell = InboxBell()
    /// Where the webhook route stores what Telegram posts (webhook mode); on every instance.
    public var inbox: WebhookInbox { WebhookInbox(store: store, bell: inboxBell, logger: logger) }
    /// Webhook mode's settings; `nil`: the bot long-polls.
    public var webhook: BotWebhook? { configuration.webhook }
    private let client: TelegramClient
    private let store: any BotStore
    private let texts: BotTexts
    private let configuration: BotConfiguration
    private let adminChat: AdminChat
    private let logger: Logger
    private let linking: AccountLinking?
    /// What the notifier wakes; it forwards to the sender of the current ``makeServices()``.
    private let signal = WakeSignal()

    /// Reads what an earlier run stored about the admin group (its move to a supergroup) and builds the bot.
    public static func make(
        client: TelegramClient,
        store: any BotStore,
        localizer: Localizer,
        configuration: BotConfiguration,
        logger: Logger,
        linking: AccountLinking? = nil,
        makeService: (any Notifier) -> ApprovalService
    ) async -> TelegramBot {
        let adminChat = await AdminChat.load(configured: configuration.adminChatID, store: store, logger: logger)
        return TelegramBot(
            client: client,
            store: store,
            texts: BotTexts(localizer: localizer, whitelistIPs: configuration.whitelistIPs),
            configuration: configuration,
            adminChat: adminChat,
            logger: logger,
            linking: linking,
            makeService: makeService
        )
    }

    private init(
        client: TelegramClient,
        store: any BotStore,
        texts: BotTexts,
        configuration: BotConfiguration,
        adminChat: AdminChat,
        logger: Logger,
        linking: AccountLinking?,
        makeService: (any Notifier) -> ApprovalService
    ) {
        self.client = client
        self.store = store
        self.texts = texts
        self.configuration = configuration
        self.adminChat = adminChat
        self.logger = logger
        self.linking = linking
        service = makeService(TelegramNotifier(store: store, texts: texts, signal: signal))
    }

    /// Another instance added to a queue this bot works through: wakes the sender (outgoing) or rings the inbox
    /// bell (a webhook post stored there).
    public func queueChangedElsewhere(_ queue: SharedQueue) {
        switch queue {
        case .outgoing: signal.wake()
        case .inbox: inboxBell.ring()
        case .mail: break
        }
    }

    /// The long-running parts, new each time, in start order (a graceful shutdown stops them in reverse: polling
    /// ends first, the sender last, so replies to the last updates still go out). Each leader term runs a fresh set:
    /// a sender or poller that was stopped does not start again.
    public func makeServices() -> [any Service] {
        let termSignal = WakeSignal()
        signal.forward(to: termSignal)
        return [
            OutgoingSender(
                client: client,
                store: store,
                configuration: configuration,
                adminChat: adminChat,
                signal: termSignal,
                logger: logger
            ),
            EventRelay(service: service, store: store, interval: configuration.eventSweepInterval, logger: logger),
            UpdatePoller(
                client: client,
                store: store,
                service: service,
                linking: linking,
                texts: texts,
                signal: termSignal,
                bell: inboxBell,
                adminChat: adminChat,
                configuration: configuration,
                status: status,
                identity: identity,
                logger: logger
            ),
        ]
    }
}

/// The bot's own `@username`, known once `getMe` has answered.
public final class BotIdentity: Sendable {
    private let value = Mutex<String?>(nil)

    public init() {}

    public var username: String? { value.withLock { $0 } }

    func set(_ username: String?) {
        value.withLock { $0 = username }
    }
}

/// What the bot is doing, for `/healthz`.
public final class BotStatus: Sendable {
    private let value = Mutex("not started")

    public init() {}

    public var current: String { value.withLock { $0 } }

    func set(_ text: String) {
        value.withLock { $0 = text }
    }
}
