import BotConversation
import ExchangeBotCore
import Foundation
import Logging
import ServiceLifecycle

/// Delivers key events the approval service could not deliver at once (Telegram down, a crash in between), and
/// those other processes wrote to the outbox; once an hour, tidies the bot's tables and expires the conversations
/// left alone (their drafts' secrets dropped).
struct EventRelay: Service {
    let service: ApprovalService
    let store: any BotStore
    let interval: Duration
    let logger: Logger
    /// How often the bot's tables are tidied (see ``BotStore/tidy(now:)``).
    static let tidyEvery: Duration = .seconds(3600)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var lastTidy: ContinuousClock.Instant?
            while !Task.isCancelled {
                let delivered = await service.deliverPendingEvents()
                if delivered > 0 { logger.info("delivered queued key events", metadata: ["count": "\(delivered)"]) }
                if lastTidy.map({ ContinuousClock.now - $0 >= Self.tidyEvery }) ?? true {
                    lastTidy = ContinuousClock.now
                    await tidy(now: Date())
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    private func tidy(now: Date) async {
        do {
            try await store.tidy(now: now)
            try await store.expireIdleConversations(now: now)
        } catch {
            logger.warning("could not tidy the bot's tables", metadata: ["error": "\(error)"])
        }
    }
}
