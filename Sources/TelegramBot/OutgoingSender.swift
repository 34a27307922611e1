import BotConversation
import Foundation
import Logging
import ServiceLifecycle
import TelegramBotAPI

/// Sends the queued outgoing actions, in order per chat, within Telegram's send limits.
///
/// Every message the bot sends goes through here, after the change that caused it is committed (see
/// ``BotStore``). Each chat has at most one call in flight, so a chat's messages arrive in the order queued; every
/// call gets its time from one ``OutgoingRateLimiter``, so a burst of notifications is spread out instead of
/// drawing 429s. A message is marked sent right after Telegram confirms it; only a crash in that instant can
/// repeat it. What Telegram refuses for good (blocked by the user, chat gone) is given up and logged; what fails
/// for a while (429 after the client's retries, 5xx, no connection) stays queued and is tried again.
public actor OutgoingSender: Service {
    private let client: TelegramClient
    private let store: any BotStore
    private let logger: Logger
    private var limiter: OutgoingRateLimiter
    private var adminChatID: Int64
    private let start = ContinuousClock.now

    private var inFlight = Set<Int64>()
    private var busyChats = Set<Int64>()
    private var retryAt = [Int64: ContinuousClock.Instant]()
    private var stopping = false
    private var wakePending = false
    private var waiter: CheckedContinuation<Void, Never>?

    /// How long an action that failed for a while waits before it is tried again.
    static let retryDelay: Duration = .seconds(5)

    public init(client: TelegramClient, store: any BotStore, configuration: BotConfiguration, logger: Logger) {
        self.client = client
        self.store = store
        self.logger = logger
        self.limiter = OutgoingRateLimiter(limits: configuration.sendLimits)
        self.adminChatID = configuration.adminChatID
    }

    /// Tells the sender something was queued.
    public nonisolated func wake() {
        Task { await self.signal() }
    }

    /// The admin group's id as last known.
    var currentAdminChatID: Int64 { adminChatID }

    func adminChatMoved(to chatID: Int64) async {
        guard chatID != adminChatID else { return }
        logger.notice(
            "the admin group moved to a supergroup; using its new id",
            metadata: ["old": "\(adminChatID)", "new": "\(chatID)"]
        )
        adminChatID = chatID
        do {
            try await store.setAdminChatOverride(chatID)
        } catch {
            logger.error("could not store the admin group's new id", metadata: ["error": "\(error)"])
        }
    }

    public func run() async throws {
        if let moved = try? await store.adminChatOverride() { adminChatID = moved }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                while !stopping {
                    for job in await nextJobs() {
                        group.addTask { await self.perform(job) }
                    }
                    await waitForWake(upTo: .seconds(1))
                }
            }
        } onGracefulShutdown: {
            Task { await self.stop() }
        }
    }

    private func stop() {
        stopping = true
        signal()
    }

    // MARK: - Scheduling

    private struct Job: Sendable {
        let row: QueuedOutgoing
        let chatID: Int64
        let at: ContinuousClock.Instant
    }

    /// Claims the first queued action of every idle chat and gives each its time slot.
    private func nextJobs() async -> [Job] {
        let rows: [QueuedOutgoing]
        do {
            rows = try await store.queuedOutgoing(limit: 500, excluding: inFlight)
        } catch {
            logger.error("could not read the outgoing queue", metadata: ["error": "\(error)"])
            return []
        }
        let now = ContinuousClock.now
        var seen = Set<Int64>()
        var jobs = [Job]()
        for row in rows {
            let chatID = chat(of: row.action)
            guard seen.insert(chatID).inserted, !busyChats.contains(chatID) else { continue }
            if let retry = retryAt[row.id], retry > now { continue }
            let slot = limiter.reserve(chatID: chatID, now: seconds(now))
            inFlight.insert(row.id)
            busyChats.insert(chatID)
            jobs.append(Job(row: row, chatID: chatID, at: start + .seconds(slot)))
        }
        return jobs
    }

    private func chat(of action: OutgoingAction) -> Int64 {
        switch action {
        case .send(let message):
            switch message.destination {
            case .chat(let id): id
            case .adminChat: adminChatID
            }
        case .closeRequests: adminChatID
        }
    }

    private func seconds(_ instant: ContinuousClock.Instant) -> Double {
        let elapsed = instant - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    private func finished(_ job: Job, retry: Bool) {
        inFlight.remove(job.row.id)
        busyChats.remove(job.chatID)
        if retry {
            retryAt[job.row.id] = ContinuousClock.now + Self.retryDelay
        } else {
            retryAt[job.row.id] = nil
        }
        signal()
    }

    // MARK: - Waking

    private func signal() {
        if let waiter {
            self.waiter = nil
            waiter.resume()
        } else {
            wakePending = true
        }
    }

    private func waitForWake(upTo timeout: Duration) async {
        if wakePending || stopping {
            wakePending = false
            return
        }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            await self.signal()
        }
        await withCheckedContinuation { waiter = $0 }
        wakePending = false
        timer.cancel()
    }

    // MARK: - Performing

    private func perform(_ job: Job) async {
        // Sleep in short steps so a shutdown does not wait for a slot far ahead; the action stays queued.
        while ContinuousClock.now < job.at {
            if stopping {
                finished(job, retry: false)
                return
            }
            try? await Task.sleep(for: min(job.at - ContinuousClock.now, .milliseconds(100)))
        }
        let retry: Bool
        switch job.row.action {
        case .send(let message):
            retry = await send(message, id: job.row.id, chatID: job.chatID)
        case .closeRequests(let keyID, let note):
            retry = await closeRequests(keyID: keyID, note: note, id: job.row.id)
        }
        finished(job, retry: retry)
    }

    /// Sends one message; returns whether to try again later.
    private func send(_ message: OutgoingMessage, id: Int64, chatID: Int64) async -> Bool {
        if chatID > 0, (try? await store.isUnreachable(telegramID: chatID)) == true {
            await finish(id, .abandoned("the user blocked the bot"))
            return false
        }
        let markup: ReplyMarkup? =
            if message.forceReply {
                .forceReply(ForceReply())
            } else if !message.buttons.isEmpty {
                .inlineKeyboard(
                    InlineKeyboardMarkup(
                        message.buttons.map { row in
                            row.map { InlineKeyboardButton(text: $0.text, callbackData: $0.data) }
                        }
                    )
                )
            } else {
                nil
            }
        var target = chatID
        for _ in 0..<2 {
            do throws(TelegramError) {
                let sent = try await client.sendMessage(
                    chatID: target,
                    text: message.text,
                    parseMode: .html,
                    replyMarkup: markup
                )
                await finish(id, .sent(PostedMessage(chatID: target, messageID: sent.messageID, text: message.text)))
                return false
            } catch {
                switch error {
                case .migrated(let newID):
                    if message.destination == .adminChat { await adminChatMoved(to: newID) }
                    target = newID
                    continue
                case .forbidden(let blocked, let description):
                    if blocked || target > 0 {
                        try? await store.setUnreachable(telegramID: target, true, at: Date())
                    }
                    logger.notice(
                        "Telegram refused a message; the chat is marked unreachable",
                        metadata: ["chat": "\(target)", "reason": "\(description)"]
                    )
                    await finish(id, .abandoned(description))
                    return false
                case .badRequest(let description):
                    logger.error(
                        "Telegram refused a message as malformed; dropped",
                        metadata: ["chat": "\(target)", "reason": "\(description)"]
                    )
                    await finish(id, .abandoned(description))
                    return false
                case .transport(.outcomeUnknown):
                    // Telegram may have shown it: sending again could show it twice.
                    logger.warning(
                        "a message's delivery is unknown (no answer after sending); not repeated",
                        metadata: ["chat": "\(target)"]
                    )
                    await finish(id, .abandoned("outcome unknown"))
                    return false
                default:
                    logger.warning(
                        "a message could not be sent; will retry",
                        metadata: ["chat": "\(target)", "error": "\(error)"]
                    )
                    return true
                }
            }
        }
        await finish(id, .abandoned("the chat moved more than once"))
        return false
    }

    private func closeRequests(keyID: Int64, note: String, id: Int64) async -> Bool {
        let posted: [PostedMessage]
        do {
            posted = try await store.requestMessages(ofKey: keyID)
        } catch {
            return true
        }
        for message in posted {
            let text = String((message.text + "\n\n" + note).prefix(MessageSplitter.maxLength))
            do throws(TelegramError) {
                try await client.editMessageTextIfChanged(
                    chatID: message.chatID,
                    messageID: message.messageID,
                    text: text,
                    parseMode: .html
                )
            } catch {
                if error.isMessageToEditNotFound { continue }
                if case .badRequest = error {
                    logger.warning("a request message could not be edited", metadata: ["error": "\(error)"])
                    continue
                }
                return true
            }
        }
        await finish(id, .sent(nil))
        return false
    }

    private func finish(_ id: Int64, _ result: OutgoingResult) async {
        do {
            try await store.finishOutgoing(id, result: result)
        } catch {
            logger.error("could not mark an outgoing message done", metadata: ["error": "\(error)"])
        }
    }
}
