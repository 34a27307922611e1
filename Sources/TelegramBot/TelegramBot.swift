import BotConversation
import ExchangeBotCore
import Foundation
import Localization
import Logging
import ServiceLifecycle
import Synchronization
import TelegramAPIClient

/// The Telegram front end, assembled in one step: the approval service it talks to (given the bot's notifier),
/// and the services to run (sender, event relay, poller).
///
/// The approval service needs the notifier and the poller needs the service, so the bot makes the service itself
/// from the caller's recipe (`makeService`) once its notifier exists; every object is built complete.
public struct TelegramBot: Sendable {
    /// The approval service, wired to this bot's notifier.
    public let service: ApprovalService
    /// The long-running parts, in start order (a graceful shutdown stops them in reverse: polling ends first,
    /// the sender last, so replies to the last updates still go out).
    public let services: [any Service]
    public let status = BotStatus()
    /// The bot's `@username` once `getMe` told it: what link-code URLs point to.
    public let identity = BotIdentity()

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
        let signal = WakeSignal()
        let service = makeService(TelegramNotifier(store: store, texts: texts, signal: signal))
        self.service = service
        services = [
            OutgoingSender(
                client: client,
                store: store,
                configuration: configuration,
                adminChat: adminChat,
                signal: signal,
                logger: logger
            ),
            EventRelay(service: service, store: store, interval: configuration.eventSweepInterval, logger: logger),
            UpdatePoller(
                client: client,
                store: store,
                service: service,
                linking: linking,
                texts: texts,
                signal: signal,
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
