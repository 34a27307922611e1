import BotConversation
import ExchangeBotCore
import Foundation
import Logging

/// Runs key checks with the exchanges outside the chat's queue, so the user's next message is answered ("still
/// checking…") while the exchange thinks, and hands each verdict back to the chat's queue.
///
/// A check's submission is stored (encrypted) in the conversation before it starts, so a check cut short by a
/// crash is started again at the next start. A resumed check first looks for the key it may have stored just
/// before the crash, so the user and the admins hear of it once.
actor CheckRunner {
    typealias Verdict = Result<ExchangeKey, ApprovalError>

    private let service: ApprovalService
    private let queues: ChatQueues
    private let logger: Logger
    private var running = [Int64: Task<Void, Never>]()
    /// Shutdown waiting for the running checks to end (see ``drain(upTo:)``).
    private var drainers = [CheckedContinuation<Void, Never>]()

    init(service: ApprovalService, queues: ChatQueues, logger: Logger) {
        self.service = service
        self.queues = queues
        self.logger = logger
    }

    /// Starts a check unless one runs for this user; `then` gets its verdict on the chat's queue.
    func start(
        telegramID: Int64,
        caller: Caller,
        pending: PendingSubmission,
        resumed: Bool,
        then finish: @escaping @Sendable (Verdict) async -> Void
    ) {
        guard running[telegramID] == nil, let userID = caller.userID else { return }
        running[telegramID] = Task {
            let verdict = await self.check(userID: userID, caller: caller, pending: pending, resumed: resumed)
            // Cut short by shutdown, the failure is ours, not the key's: the submission stays stored and the check
            // runs again at the next start.
            if !Task.isCancelled {
                queues.enqueue(telegramID, bounded: false) { await finish(verdict) }
            }
            await self.done(telegramID)
        }
    }

    private func done(_ telegramID: Int64) {
        running[telegramID] = nil
        if running.isEmpty { releaseDrainers() }
    }

    private func releaseDrainers() {
        let waiting = drainers
        drainers = []
        for drainer in waiting { drainer.resume() }
    }

    /// Waits for running checks, up to `limit`; checks still running then are resumed at the next start.
    func drain(upTo limit: Duration) async {
        guard !running.isEmpty else { return }
        let deadline = Task {
            guard (try? await Task.sleep(for: limit)) != nil else { return }
            await self.releaseDrainers()
        }
        await withCheckedContinuation { drainers.append($0) }
        deadline.cancel()
        if !running.isEmpty {
            logger.notice(
                "key checks still running at shutdown resume at the next start",
                metadata: ["count": "\(running.count)"]
            )
            for task in running.values { task.cancel() }
        }
    }

    var count: Int { running.count }

    private func check(userID: Int64, caller: Caller, pending: PendingSubmission, resumed: Bool) async -> Verdict {
        if resumed, let stored = await storedBeforeCrash(userID: userID, pending: pending) {
            return .success(stored)
        }
        do {
            if let keyID = pending.updating {
                return .success(
                    try await service.updateKey(
                        keyID: keyID,
                        userID: userID,
                        label: nil,
                        credentials: pending.submission,
                        by: caller
                    )
                )
            }
            return .success(try await service.addKey(pending.submission, userID: userID, by: caller))
        } catch {
            // A resumed check can race the run it resumes (at a change of leader the old leader's check may still
            // be at the exchange): when that run stored the key first, this one is refused ("already added"), and
            // the key it finds now is the answer.
            if resumed, let stored = await storedBeforeCrash(userID: userID, pending: pending) {
                return .success(stored)
            }
            return .failure(error)
        }
    }

    /// The key this very submission stored, if it got that far before a crash: same exchange key, written at or
    /// after the submission (to the second: the seed's dates have no finer grain in every writer). Whatever its
    /// status now: an admin may have decided on it (over REST, say) before the check resumed, and checking it again
    /// would answer "already added", or, for new credentials, put the decided key back to PENDING.
    private func storedBeforeCrash(userID: Int64, pending: PendingSubmission) async -> ExchangeKey? {
        guard let keys = try? await service.keys(ofUser: userID) else { return nil }
        let since = pending.submittedAt.addingTimeInterval(-1)
        let apiKey = pending.submission.apiKey.trimmingCharacters(in: .whitespacesAndNewlines)
        return keys.first { key in
            guard key.apiKey == apiKey else { return false }
            if let updating = pending.updating {
                // When its credentials were set, not `updatedAt`, which a decision, a toggle or a health check also
                // moves: those must not pass for this update having been stored.
                return key.id == updating && (key.credentialsChangedAt ?? key.updatedAt ?? .distantPast) >= since
            }
            return (key.createdAt ?? .distantPast) >= since
        }
    }
}
