import BotConversation

/// The one retry policy for work that commits to the bot's store: a few attempts, waiting longer each time, so a
/// database busy or a disk full for a moment does not lose an update or a check's verdict. The chat's next updates
/// wait meanwhile, so they stay in order.
enum StorageRetry {
    static let attempts = 3

    /// Runs `work` until it succeeds or ``attempts`` runs have failed; returns the last error, or `nil` on success.
    /// Shutdown cuts the waits short (the caller leaves the work for the next start).
    static func run(_ work: () async throws -> Void) async -> (any Error)? {
        var lastError: (any Error)?
        for attempt in 1...attempts {
            do {
                try await work()
                return nil
            } catch  where error is UpdateHandledElsewhere || error is CheckFinishedElsewhere {
                // Not a storage fault: another instance did this work first, and trying again cannot succeed.
                return error
            } catch {
                lastError = error
                if Task.isCancelled || attempt == attempts { break }
                try? await Task.sleep(for: .milliseconds(200 << attempt))
            }
        }
        return lastError
    }
}
