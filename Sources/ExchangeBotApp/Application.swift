import AccessTokens
import ExchangeBotAPI
import ExchangeBotCore
import ExchangeBotStorage
import ExchangeClients
import Fernet
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// The composition root of `exchange-bot run`: reads the environment, checks the master key, migrates, builds
/// the object graph and runs the long-lived services until SIGTERM or SIGINT.
public enum Application {
    public static func run(_ environment: Environment) async throws {
        let logLevel = try environment.logLevel()
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

        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Logger.Level(rawValue: logLevel.rawValue) ?? .info
            return handler
        }
        let logger = Logger(label: "exchange-bot")
        let (ring, check) = try Commands.preflight(environment)
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

        let database = try Commands.openDatabase(environment, concurrentReads: true)
        let store = SQLiteExchangeStore(database: database, ring: ring)
        let transport = AsyncHTTPTransport()
        let validator = ExchangeValidator(
            transport: transport,
            endpoints: ExchangeEndpoints(overrides: exchanges.originOverrides, sandbox: exchanges.sandbox),
            timeout: .seconds(exchanges.timeoutSeconds),
            allowWithdrawKeys: exchanges.allowWithdrawKeys
        )
        let service = ApprovalService(store: store, validator: validator, notifier: NoNotifier())

        var services: [any Service] = []
        if let rest {
            let dependencies = APIDependencies(
                service: service,
                store: store,
                authority: BearerTokenAuthority(secretKey: rest.secretKey.exposedValue, maxAge: rest.tokenMaxAge),
                rateLimit: (rest.rateLimit.requests, rest.rateLimit.perSeconds),
                databaseIsReachable: { await database.isReachable() },
                botState: { telegram == nil ? "disabled" : "not running" }
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
        if telegram != nil {
            logger.warning("TELEGRAM_BOT_TOKEN is set, but this build has no Telegram front end yet")
        }
        services.append(ReadinessAnnouncer(logger: logger, bot: false, rest: rest != nil))

        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        do {
            try await group.run()
        } catch {
            try? await transport.shutdown()
            throw error
        }
        try? await transport.shutdown()
        logger.info("exchange-bot stopped")
    }
}

/// Says "ready" once the service group runs (its signal handlers are installed by then, so a SIGTERM after this
/// line is a graceful shutdown), then keeps the group alive until shutdown is requested.
struct ReadinessAnnouncer: Service {
    let logger: Logger
    let bot: Bool
    let rest: Bool

    func run() async throws {
        logger.info("exchange-bot ready", metadata: ["bot": "\(bot)", "rest": "\(rest)"])
        try await gracefulShutdown()
    }
}
