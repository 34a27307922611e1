import ExchangeBotCore
import Logging
import ServiceLifecycle

/// Re-checks approved keys every `HEALTH_CHECK_INTERVAL` seconds (the first pass one interval after start, so a
/// restart loop never hammers the exchanges). Stops at once on graceful shutdown.
struct HealthMonitor: Service {
    let service: ApprovalService
    let interval: Duration
    let logger: Logger

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    try await Task.sleep(for: interval)
                    let summary = await service.checkApprovedKeys()
                    logger.info(
                        "health check pass",
                        metadata: [
                            "keys.checked": "\(summary.checked)",
                            "keys.healthy": "\(summary.healthy)",
                            "keys.deactivated": "\(summary.deactivated)",
                            "keys.inconclusive": "\(summary.inconclusive)",
                        ]
                    )
                }
            }
        } catch is CancellationError {
            return
        }
    }
}
