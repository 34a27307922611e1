import BotConversation
import ExchangeBotCore
import Foundation
import Logging
import ServiceLifecycle
import TelegramAPIClient

/// Sends the queued outgoing actions, in order per chat, within Telegram's send limits.
///
/// Every message the bot sends goes through here, after the change that caused it is committed (see
/// ``BotStore``). Each chat has at most one call in flight, so a chat's messages arrive in the order queued; every
/// call gets its time from one ``OutgoingRateLimiter``, so a burst of notifications is spread out instead of
/// drawing 429s. A message is marked sent right after Telegram confirms it; only a crash in that instant can
/// repeat it. What Telegram refuses for good (blocked by the user, chat gone) is given up and logged; what fails
/// for a while (429 after the client's retries, 5xx, no connection) stays queued and is tried again.
actor OutgoingSender: Service {
    let client: TelegramClient
    /// The same client without retries of its own: a repeated send must take a new slot from the limiter, or
    /// retries after a 429 would crowd the very window that drew it.
    let sendClient: TelegramClient
    let store: any BotStore
    let logger: Logger
    private var limiter: OutgoingRateLimiter
    let adminChat: AdminChat
    let signal: WakeSignal
    private let start = ContinuousClock.now

    /// Lanes (see ``OutgoingAction/lane``) with an action in hand: one at a time per lane keeps a chat's order.
    private var busyLanes = Set<Int64>()
    private var retryAt = [Int64: ContinuousClock.Instant]()
    /// Outcomes Telegram gave but the store could not record (the database locked, the disk full), by action id.
    /// Their lanes send nothing until the outcome is recorded: the action would otherwise go out again, and a
    /// repeated admin request would bring back live buttons.
    var unrecorded = [Int64: (row: QueuedOutgoing, result: OutgoingResult)]()
    private var failures = [Int64: Int]()
    /// Per chat, when the next message may go: a second after the last one was answered. Telegram counts a
    /// message when it arrives, which is at the latest when it is answered; the limiter's slots alone would let a
    /// slow message and the next one arrive closer than a second apart.
    private var chatNotBefore = [Int64: ContinuousClock.Instant]()
    /// No send starts before this: set when Telegram answers 429.
    private var pausedUntil = ContinuousClock.now

    /// How long an action that failed for a while waits before it is tried again: doubling from 1 s up to this.
    static let maxRetryDelay: Duration = .seconds(30)

    /// How long the sender waits to read its queue again after the store failed to answer or to record an outcome.
    static let storeRetryDelay: Duration = .seconds(1)
    /// How often the sender reads its queue without being woken (``BotConfiguration/queueRescanInterval``).
    let rescanInterval: Duration

    init(
        client: TelegramClient,
        store: any BotStore,
        configuration: BotConfiguration,
        adminChat: AdminChat,
        signal: WakeSignal,
        logger: Logger
    ) {
        self.client = client
        var sendClient = client
        sendClient.retryPolicy = .never
        self.sendClient = sendClient
        self.store = store
        self.logger = logger
        self.limiter = OutgoingRateLimiter(limits: configuration.sendLimits)
        self.rescanInterval = configuration.queueRescanInterval
        self.adminChat = adminChat
        self.signal = signal
    }

    func run() async throws {
        // The safety net's one ticker for the sender's life; retries come due by ``WakeSignal/wake(at:)``.
        let ticker = Task { [signal, rescanInterval] in
            while !signal.isStopped, (try? await Task.sleep(for: rescanInterval)) != nil { signal.wake() }
        }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                var wakes = signal.wakes.makeAsyncIterator()
                repeat {
                    for job in await nextJobs() {
                        group.addTask { await self.perform(job) }
                    }
                } while await wakes.next() != nil && !Task.isCancelled
                // Stopped: jobs waiting for their slot end now (their actions stay queued); calls on the wire finish.
                group.cancelAll()
            }
        } onGracefulShutdown: { [signal] in
            signal.stop()
        }
        ticker.cancel()
    }

    // MARK: - Scheduling

    private struct Job: Sendable {
        let row: QueuedOutgoing
        /// The chat the send limits are counted for; `nil` for request edits, which Telegram does not count as
        /// messages sent.
        let limitedChat: Int64?
        let at: ContinuousClock.Instant
    }

    /// Claims the head of every idle lane and gives each its time slot, and sets the signal's alarm for the
    /// earliest action this look had to leave for later (a retry not yet due, an outcome still to be recorded).
    private func nextJobs() async -> [Job] {
        await recordOutcomesAgain()
        if !unrecorded.isEmpty { signal.wake(at: .now + Self.storeRetryDelay) }
        let rows: [QueuedOutgoing]
        do {
            let held = Set(unrecorded.values.map(\.row.lane))
            rows = try await store.nextOutgoing(limit: 500, excludingLanes: busyLanes.union(held))
        } catch {
            logger.error("could not read the outgoing queue", metadata: ["error": "\(error)"])
            signal.wake(at: .now + Self.storeRetryDelay)
            return []
        }
        let now = max(ContinuousClock.now, pausedUntil)
        var jobs = [Job]()
        for row in rows {
            if let retry = retryAt[row.id], retry > now {
                signal.wake(at: retry)
                continue
            }
            let limitedChat: Int64?
            switch row.action {
            case .closeRequests, .editMessage, .replaceChecking: limitedChat = nil
            case .send: limitedChat = row.lane == OutgoingAction.adminChatLane ? adminChat.id : row.lane
            }
            // Checked here rather than just before sending: a slot is not spent on a message that will not go, and
            // nothing slows the send between its slot and Telegram.
            if row.recipientUnreachable {
                await finish(row, .abandoned("the user blocked the bot"))
                signal.wake()
                continue
            }
            busyLanes.insert(row.lane)
            var at = now
            if let chat = limitedChat {
                let earliest = max(now, chatNotBefore[chat] ?? now)
                at = start + .seconds(limiter.reserve(chatID: chat, now: seconds(earliest)))
            }
            jobs.append(Job(row: row, limitedChat: limitedChat, at: at))
        }
        return jobs
    }

    private func seconds(_ instant: ContinuousClock.Instant) -> Double {
        (instant - start) / .seconds(1)
    }

    private func finished(_ job: Job, retry: Retry) {
        busyLanes.remove(job.row.lane)
        if let chat = job.limitedChat {
            let spacing = limiter.limits.privateChat.seconds / Double(max(limiter.limits.privateChat.limit, 1))
            chatNotBefore[chat] = ContinuousClock.now + .seconds(spacing)
        }
        if chatNotBefore.count > 10_000 {
            let now = ContinuousClock.now
            chatNotBefore = chatNotBefore.filter { $0.value > now }
        }
        switch retry {
        case .no:
            retryAt[job.row.id] = nil
            failures[job.row.id] = nil
        case .after(let wait):
            retryAt[job.row.id] = ContinuousClock.now + wait
        case .withBackoff:
            let count = (failures[job.row.id] ?? 0) + 1
            failures[job.row.id] = count
            retryAt[job.row.id] = ContinuousClock.now + min(.seconds(1 << min(count - 1, 5)), Self.maxRetryDelay)
        }
        signal.wake()
    }

    func pause(for wait: Duration) {
        pausedUntil = max(pausedUntil, ContinuousClock.now + wait)
    }

    // MARK: - Performing

    private func perform(_ job: Job) async {
        // One timer until the slot: a stop cancels the wait (see `run`), and the action stays queued.
        if job.at > ContinuousClock.now { try? await Task.sleep(until: job.at) }
        // Cancelled (stopped, or this instance lost the leader lease): nothing more goes out from here.
        if Task.isCancelled || signal.isStopped {
            finished(job, retry: .no)
            return
        }
        // A call already on its way is left to finish and its outcome recorded: cut short, its answer would be lost
        // and the next leader would send the message again.
        let retry = await Task { await self.act(job) }.value
        finished(job, retry: retry)
    }

    private func act(_ job: Job) async -> Retry {
        let retry: Retry
        switch job.row.action {
        case .send(let message):
            retry = await send(message, row: job.row, chatID: job.limitedChat ?? adminChat.id)
        case .closeRequests(let keyID, let note):
            retry = await closeRequests(keyID: keyID, note: note, row: job.row)
        case .editMessage(let messageID, let message):
            retry = await edit(message, messageID: messageID, row: job.row)
        case .replaceChecking(let message):
            retry = await replaceChecking(with: message, row: job.row)
        }
        return retry
    }
}
