import BearerTokens
import EmailNotifications
import ExchangeBotCore
import ExchangeBotStorage
import ExchangeKeyCheck
import Fernet
import Foundation
import Localization
import Logging
import RESTServer
import SMTPClient
import ServiceLifecycle
import TelegramAPIClient
import TelegramBot
import UnixSignals

/// Everything `run` runs, built from the environment: the composition root, separate from process concerns
/// (logging set-up, signals) so tests can run the very same wiring in-process.
public struct Runtime: Sendable {
    public let group: ServiceGroup
    /// The HTTP listener's port once it listens (`API_PORT=0` picks a free one); `nil` before.
    public let listenerPort: BoundPort
    private let shutdown: @Sendable () async -> Void
    private let logger: Logger

    /// - Parameters:
    ///   - signals: The signals that stop the service gracefully; tests pass none and call
    ///     `group.triggerGracefulShutdown()`.
    ///   - tuning: Overrides of the bot's timing for tests and benchmarks.
    ///   - releaseStartupCode: Once ready, page out the start-up code (see ``StartupCodeRelease``); for the
    ///     service's own process only, not for a test or benchmark that hosts the runtime.
    public static func make(
        _ environment: Environment,
        logger: Logger,
        signals: [UnixSignal] = [.sigterm, .sigint],
        releaseStartupCode: Bool = false,
        tuning: @Sendable (inout BotConfiguration) -> Void = { _ in }
    ) async throws -> Runtime {
        let telegram = try environment.telegram()
        let rest = try environment.rest()
        let listener = try environment.listenAddress()
        let rootPath = try environment.apiRootPath()
        // Checked here too (`run` reads it to set up logging first), so a runtime hosted in-process refuses the
        // same settings `run` refuses.
        _ = try environment.logFormat()
        // swift-metrics' backend, before anything records (once per process; see `PrometheusExport`).
        _ = PrometheusExport.shared
        guard telegram != nil || rest != nil else {
            throw ConfigurationError(
                "TELEGRAM_BOT_TOKEN",
                "nothing to run: set TELEGRAM_BOT_TOKEN (with ADMIN_CHAT_ID) for the bot and/or SECRET_KEY for "
                    + "the REST API"
            )
        }
        let exchanges = try environment.exchanges()
        let healthCheckInterval = try environment.healthCheckInterval()
        let unknownWithdrawPolicy = try environment.unknownWithdrawPolicy()
        let keyCheckBudget = try environment.keyCheckBudget()
        let outboxRetentionDays = try environment.outboxRetentionDays()
        let signup = try environment.telegramSignup()
        let whitelistIPs = try environment.whitelistIPs()
        let linkCodeLifetime = try environment.linkCodeLifetime()
        let configuredBotUsername = try environment.telegramBotUsername()
        let mail = try environment.mail()
        // The bot's texts and the emails' both come from `locales/`.
        let localizer: Localizer? =
            telegram == nil && mail == nil
            ? nil
            : try Localizer.load(
                from: Localizer.locate(
                    executable: URL(fileURLWithPath: CommandLine.arguments[0]),
                    workingDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
                )
            )

        let (ring, check) = try await Commands.preflight(environment, logger: logger)
        logger.info(
            "master key check passed",
            metadata: [
                "secrets.total": "\(check.tokens)",
                "secrets.primary": "\(check.openedByPrimary)",
                "secrets.older_keys": "\(check.openedByOlderKeys)",
                "secrets.unreadable": "\(check.unreadable)",
            ]
        )
        if check.unreadable > 0 {
            logger.warning(
                "some stored secrets open with none of the configured keys",
                metadata: ["count": "\(check.unreadable)"]
            )
        }

        let storage = try await Commands.openStorage(
            environment,
            ring: ring,
            concurrentReads: true,
            logger: Logger(label: "exchange-bot.database")
        )
        let store = storage.exchangeStore
        let transport = AsyncHTTPTransport()
        let validator = MeasuredValidator(
            base: ExchangeValidator(
                transport: transport,
                endpoints: ExchangeEndpoints(overrides: exchanges.originOverrides, sandbox: exchanges.sandbox),
                timeout: .seconds(exchanges.timeoutSeconds),
                allowWithdrawKeys: exchanges.allowWithdrawKeys,
                unknownWithdrawPolicy: unknownWithdrawPolicy
            )
        )

        let problemLogger = Logger(label: "exchange-bot.service")
        let mailSignal = WakeSignal()
        // Email is a channel of its own beside Telegram: each event reaches both, independently (see `Notifiers`).
        let mailNotifier = mail.map { _ in MailNotifier(outbox: storage.mailOutbox, signal: mailSignal) }
        let makeService = { (notifier: any Notifier) in
            ApprovalService(
                store: store,
                validator: validator,
                notifier: mailNotifier.map { Notifiers([notifier, $0]) } ?? notifier,
                keyCheckBudget: keyCheckBudget,
                problems: { problem in ServiceProblemLog.log(problem, to: problemLogger) }
            )
        }
        let wakeMailSender: @Sendable () -> Void = { mailSignal.wake() }
        let linking = AccountLinking(
            links: storage.accountLinks,
            users: store,
            codes: RandomLinkCodes(),
            codeLifetime: TimeInterval(linkCodeLifetime),
            mailQueued: mail == nil ? nil : wakeMailSender
        )
        var bot: TelegramBot?
        var botTransport: AsyncHTTPBotTransport?
        if let telegram, let localizer {
            let transport = AsyncHTTPBotTransport(baseURL: telegram.apiURL, token: telegram.botToken.exposedValue)
            botTransport = transport
            var configuration = BotConfiguration(
                adminChatID: telegram.adminChatID,
                adminUserIDs: telegram.adminUserIDs,
                inboundLimit: telegram.inboundLimit.requests,
                inboundWindow: .seconds(telegram.inboundLimit.perSeconds),
                signup: signup
            )
            configuration.whitelistIPs = whitelistIPs
            configuration.webhook = try environment.telegramWebhook()
            tuning(&configuration)
            bot = await TelegramBot.make(
                client: TelegramClient(transport: transport, logger: Logger(label: "exchange-bot.telegram")),
                store: storage.botStore,
                localizer: localizer,
                configuration: configuration,
                logger: Logger(label: "exchange-bot.bot"),
                linking: linking,
                makeService: makeService
            )
        }
        let service = bot?.service ?? makeService(NoNotifier())

        // The database pool first: services stop in reverse order, so it closes after everything that queries it.
        var services: [any Service] = storage.poolService.map { [$0] } ?? []
        // The singleton jobs go right after the pool (see `SingletonJobs`), so they stop after the listener.
        let singletonJobsIndex = services.endIndex
        let lease = try storage.makeLeaderLease?(Logger(label: "exchange-bot.lease"))
        let instanceRole = RoleState(lease == nil ? .single : .follower)
        let botStatus = bot?.status
        let botIdentity = bot?.identity
        let trustedProxies = try environment.trustedProxies()
        let api = rest.map { rest in
            APIDependencies(
                service: service,
                store: store,
                authority: BearerTokenAuthority(secretKey: rest.secretKey.exposedValue, maxAge: rest.tokenMaxAge),
                rateLimit: (rest.rateLimit.requests, rest.rateLimit.perSeconds),
                trustedProxies: trustedProxies,
                linking: linking,
                botUsername: { botIdentity?.username ?? configuredBotUsername }
            )
        }
        // The instance's role in `/healthz` and `/readyz`: `leader` or `follower` under the PostgreSQL lease,
        // `single` on SQLite.
        let role: @Sendable () -> String = { instanceRole.current.rawValue }
        let ops = OpsDependencies(
            databaseIsReachable: storage.isReachable,
            // A follower's bot runs on the leader: `standby`, ready for REST (its own poller is stopped or unstarted).
            botState: {
                guard let botStatus else { return "disabled" }
                return instanceRole.current == .follower ? "standby" : botStatus.current
            },
            role: role,
            // `preflight` above threw unless the master key opened the stored secrets.
            masterKeyChecked: { true },
            metrics: { [queueDepths = storage.queueDepths] in await PrometheusExport.scrape(queueDepths) }
        )
        let boundPort = BoundPort()
        // The listener runs in every mode: `/healthz`, `/readyz` and `/metrics` always, the REST API with
        // SECRET_KEY.
        services.append(
            APIServer.application(
                api,
                ops: ops,
                host: listener.host,
                port: listener.port,
                trustedProxies: trustedProxies,
                webhook: TelegramWebhookEndpoint.of(bot),
                rootPath: rootPath,
                onListening: { port in boundPort.set(port) },
                logger: Logger(label: "exchange-bot.api")
            )
        )
        let makeMailSender = try mail.flatMap { mail in
            try localizer.map { localizer in
                try mailSenderFactory(
                    mail,
                    outbox: storage.mailOutbox,
                    texts: MailTexts(localizer: localizer),
                    logger: logger
                )
            }
        }
        let singletonJobs = SingletonJobs(
            bot: bot,
            healthMonitor: healthCheckInterval.map {
                HealthMonitor(service: service, interval: .seconds($0), logger: Logger(label: "exchange-bot.health"))
            },
            outboxMaintenance: OutboxMaintenance(
                store: storage.upkeep,
                retention: TimeInterval(outboxRetentionDays) * 86_400,
                logger: Logger(label: "exchange-bot.outbox")
            ),
            makeMailSender: makeMailSender,
            mailSignal: mailSignal
        )
        services.insert(
            contentsOf: singletonJobs.services(
                lease: lease,
                role: instanceRole,
                logger: Logger(label: "exchange-bot.lease")
            ),
            at: singletonJobsIndex
        )
        services.append(
            ReadinessAnnouncer(
                logger: logger,
                bot: botStatus != nil,
                rest: rest != nil,
                releaseStartupCode: releaseStartupCode
            )
        )

        var configuration = ServiceGroupConfiguration(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: signals,
            logger: logger
        )
        // Under systemd's 30 s stop timeout: a shutdown that hangs (a stuck HTTP call) is cut short and the process
        // still exits, rather than being killed; a service that fails takes the process down (non-zero exit, so
        // systemd restarts it) instead of leaving it half alive.
        configuration.maximumGracefulShutdownDuration = .seconds(25)
        configuration.maximumCancellationDuration = .seconds(3)
        let group = ServiceGroup(configuration: configuration)
        let clients = (exchanges: transport, telegram: botTransport)
        return Runtime(
            group: group,
            listenerPort: boundPort,
            shutdown: {
                try? await clients.exchanges.shutdown()
                try? await clients.telegram?.shutdown()
                await storage.close()
            },
            logger: logger
        )
    }

    /// Runs until a signal (or `group.triggerGracefulShutdown()`), then closes the HTTP clients.
    public func run() async throws {
        do {
            try await group.run()
        } catch {
            await shutdown()
            throw error
        }
        await shutdown()
        logger.info("exchange-bot stopped")
    }
}
