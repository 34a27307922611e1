import BotConversation
import ExchangeBotCore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import TelegramBotAPI

/// The Telegram front end, assembled: the sender, the notifier the approval service talks to, and the services to
/// run (sender, poller, event relay).
///
/// Built in two steps because the approval service needs the notifier and the poller needs the approval service:
/// create this, give ``notifier`` to the service, then run ``services(with:)``.
public struct TelegramBot: Sendable {
    public let sender: OutgoingSender
    public let notifier: TelegramNotifier
    public let status = BotStatus()
    private let client: TelegramClient
    private let store: any BotStore
    private let texts: BotTexts
    private let configuration: BotConfiguration
    private let logger: Logger

    public init(
        client: TelegramClient,
        store: any BotStore,
        localizer: Localizer,
        configuration: BotConfiguration,
        logger: Logger
    ) {
        self.client = client
        self.store = store
        self.texts = BotTexts(localizer: localizer)
        self.configuration = configuration
        self.logger = logger
        let sender = OutgoingSender(client: client, store: store, configuration: configuration, logger: logger)
        self.sender = sender
        self.notifier = TelegramNotifier(store: store, localizer: localizer, wake: { sender.wake() })
    }

    /// The long-running parts, in start order (a graceful shutdown stops them in reverse: polling ends first,
    /// the sender last, so replies to the last updates still go out).
    public func services(with service: ApprovalService) -> [any Service] {
        [
            sender,
            EventRelay(service: service, store: store, interval: configuration.eventSweepInterval, logger: logger),
            UpdatePoller(
                client: client,
                store: store,
                service: service,
                texts: texts,
                sender: sender,
                configuration: configuration,
                status: status,
                logger: logger
            ),
        ]
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

/// Delivers key events the approval service could not deliver at once (Telegram down, a crash in between), and
/// those other processes wrote to the outbox.
struct EventRelay: Service {
    let service: ApprovalService
    let store: any BotStore
    let interval: Duration
    let logger: Logger
    /// How often the bot's tables are tidied (see ``BotStore/tidy(now:abandonedBefore:)``).
    static let tidyEvery: Duration = .seconds(3600)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var lastTidy: ContinuousClock.Instant?
            while !Task.isCancelled {
                let delivered = await service.deliverPendingEvents()
                if delivered > 0 { logger.info("delivered queued key events", metadata: ["count": "\(delivered)"]) }
                if lastTidy.map({ ContinuousClock.now - $0 >= Self.tidyEvery }) ?? true {
                    lastTidy = ContinuousClock.now
                    let now = Date()
                    do {
                        try await store.tidy(
                            now: now,
                            abandonedBefore: now.addingTimeInterval(-ConversationMachine.idleTimeout)
                        )
                    } catch {
                        logger.warning("could not tidy the bot's tables", metadata: ["error": "\(error)"])
                    }
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
