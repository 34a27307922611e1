import Logging
import ServiceLifecycle

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
