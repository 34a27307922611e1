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

/// The composition root of `exchange-bot run`: reads the environment, checks the master key, migrates, builds
/// the object graph and runs the long-lived services until SIGTERM or SIGINT.
public enum Application {
    public static func run(_ environment: Environment) async throws {
        let logLevel = try environment.logLevel()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Logger.Level(rawValue: logLevel.rawValue) ?? .info
            return handler
        }
        let runtime = try await Runtime.make(
            environment,
            logger: Logger(label: "exchange-bot"),
            releaseStartupCode: true
        )
        try await runtime.run()
    }
}

/// Everything `run` runs, built from the environment: the composition root, separate from process concerns
/// (logging set-up, signals) so tests can run the very same wiring in-process.
public struct Runtime: Sendable {
    public let group: ServiceGroup
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
        let validator = ExchangeValidator(
            transport: transport,
            endpoints: ExchangeEndpoints(overrides: exchanges.originOverrides, sandbox: exchanges.sandbox),
            timeout: .seconds(exchanges.timeoutSeconds),
            allowWithdrawKeys: exchanges.allowWithdrawKeys,
            unknownWithdrawPolicy: unknownWithdrawPolicy
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
        var services: [any Service] = (storage.poolService.map { [$0] } ?? []) + (bot?.services ?? [])
        let botStatus = bot?.status
        let botIdentity = bot?.identity
        if let rest {
            let dependencies = APIDependencies(
                service: service,
                store: store,
                authority: BearerTokenAuthority(secretKey: rest.secretKey.exposedValue, maxAge: rest.tokenMaxAge),
                rateLimit: (rest.rateLimit.requests, rest.rateLimit.perSeconds),
                trustedProxies: try environment.trustedProxies(),
                databaseIsReachable: storage.isReachable,
                botState: { botStatus?.current ?? "disabled" },
                linking: linking,
                botUsername: { botIdentity?.username ?? configuredBotUsername }
            )
            services.append(
                APIServer.application(
                    dependencies,
                    host: rest.host,
                    port: rest.port,
                    logger: Logger(label: "exchange-bot.api")
                )
            )
        }
        if let healthCheckInterval {
            services.append(
                HealthMonitor(
                    service: service,
                    interval: .seconds(healthCheckInterval),
                    logger: Logger(label: "exchange-bot.health")
                )
            )
        }
        services.append(
            OutboxMaintenance(
                store: storage.upkeep,
                retention: TimeInterval(outboxRetentionDays) * 86_400,
                logger: Logger(label: "exchange-bot.outbox")
            )
        )
        if let mail, let localizer {
            let client: SMTPClient
            do {
                client = try SMTPClient(settings: mail.smtp, logger: Logger(label: "exchange-bot.smtp"))
            } catch {
                throw ConfigurationError("MAIL_CA_FILE", error.description)
            }
            services.append(
                MailSender(
                    outbox: storage.mailOutbox,
                    transport: client,
                    sender: mail.sender,
                    texts: MailTexts(localizer: localizer),
                    signal: mailSignal,
                    logger: Logger(label: "exchange-bot.mail")
                )
            )
            logger.info(
                "email notifications enabled",
                metadata: [
                    "mail.server": "\(mail.smtp.host):\(mail.smtp.port)", "mail.security": "\(mail.smtp.security)",
                ]
            )
        }
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

/// Says "ready" once the service group runs (its signal handlers are installed by then, so a SIGTERM after this
/// line is a graceful shutdown), then keeps the group alive until shutdown is requested.
struct ReadinessAnnouncer: Service {
    let logger: Logger
    let bot: Bool
    let rest: Bool
    let releaseStartupCode: Bool

    func run() async throws {
        logger.info("exchange-bot ready", metadata: ["bot": "\(bot)", "rest": "\(rest)"])
        // Give the other services a moment to finish starting (the bot's first poll, the listener) first.
        if releaseStartupCode, (try? await Task.sleep(for: .seconds(2))) != nil,
            let kilobytes = StartupCodeRelease.run()
        {
            logger.debug("released start-up code pages", metadata: ["mapped_kb": "\(kilobytes)"])
        }
        try await gracefulShutdown()
    }
}
