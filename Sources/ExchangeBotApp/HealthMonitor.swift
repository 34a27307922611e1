import ExchangeBotCore
import Logging
import ServiceLifecycle
import ServiceMetrics

/// Re-checks approved keys every `HEALTH_CHECK_INTERVAL` seconds (the first pass one interval after start, so a
/// restart loop never hammers the exchanges). Stops at once on graceful shutdown. Keys the service cannot check
/// for its own reason are logged at error level (each one through ``ServiceProblemLog`` as well).
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
                    ServiceMetrics.healthChecks(result: "healthy", count: summary.healthy)
                    ServiceMetrics.healthChecks(result: "deactivated", count: summary.deactivated)
                    ServiceMetrics.healthChecks(result: "inconclusive", count: summary.inconclusive)
                    ServiceMetrics.healthChecks(
                        result: "uncheckable",
                        count: summary.uncheckable.values.map(\.count).reduce(0, +)
                    )
                    logger.info(
                        "health check pass",
                        metadata: [
                            "keys.checked": "\(summary.checked)",
                            "keys.healthy": "\(summary.healthy)",
                            "keys.deactivated": "\(summary.deactivated)",
                            "keys.inconclusive": "\(summary.inconclusive)",
                            "keys.uncheckable": "\(summary.uncheckable.values.map(\.count).reduce(0, +))",
                        ]
                    )
                    if !summary.uncheckable.isEmpty {
                        logger.error(
                            "health check pass: some keys cannot be checked for the service's own reason; none changed",
                            metadata: [
                                "codes": "\(summary.uncheckable.keys.sorted().joined(separator: ","))"
                            ]
                        )
                    }
                }
            }
        } catch is CancellationError {
            return
        }
    }
}
