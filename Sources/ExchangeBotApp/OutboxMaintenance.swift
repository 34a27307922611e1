import ExchangeBotCore
import ExchangeBotStorage
import Foundation
import Logging
import ServiceLifecycle

/// Keeps the outbox small and free of clear text: at start it puts back in the queue parked events that the
/// configured master keys now open, and seals events an earlier version stored in clear, then, hourly, deletes
/// delivered (and parked) events older than `OUTBOX_RETENTION_DAYS`.
struct OutboxMaintenance: Service {
    let store: any OutboxUpkeep
    let retention: TimeInterval
    let logger: Logger
    static let every: Duration = .seconds(3600)

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                do {
                    let unparked = try await store.unparkReadableOutboxRows()
                    if unparked > 0 {
                        logger.notice(
                            "parked outbox events open with the configured master keys now; delivering them",
                            metadata: ["count": "\(unparked)"]
                        )
                    }
                } catch {
                    logger.warning(
                        "could not look at parked outbox events",
                        metadata: ["error": "\(Self.describe(error))"]
                    )
                }
                do {
                    let sealed = try await store.sealLegacyOutboxRows()
                    if sealed > 0 {
                        logger.info("sealed outbox events stored in clear", metadata: ["count": "\(sealed)"])
                    }
                } catch {
                    logger.warning("could not seal old outbox events", metadata: ["error": "\(Self.describe(error))"])
                }
                while true {
                    do {
                        let pruned = try await store.pruneOutbox(before: Date().addingTimeInterval(-retention))
                        if pruned > 0 {
                            logger.info("pruned delivered outbox events", metadata: ["count": "\(pruned)"])
                        }
                    } catch {
                        logger.warning("could not prune the outbox", metadata: ["error": "\(Self.describe(error))"])
                    }
                    try await Task.sleep(for: Self.every)
                }
            }
        } catch is CancellationError {
            return
        }
    }

    static func describe(_ error: any Error) -> String {
        Commands.describe(error)
    }
}
