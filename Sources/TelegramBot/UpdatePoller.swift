import BotConversation
import ExchangeBotCore
import Foundation
import Logging
import ServiceLifecycle
import TelegramAPIClient

/// Receives updates (long-polling Telegram, or in webhook mode reading the inbox the webhook route fills) and
/// hands each to its chat's queue.
///
/// A batch is stored (encrypted) in the inbox together with the offset that confirms it before anything is
/// handled, and each update leaves the inbox in the transaction that commits its effects: a kill -9 at any moment
/// neither loses an update nor handles one twice. At start the inbox left by a crash is handled first and checks
/// cut short are resumed. On SIGTERM the poll is cancelled, the updates in hand finish, and the service returns.
/// Cancelled (the leader lease lost), it also cuts the running key checks short at once.
struct UpdatePoller: Service {
    let client: TelegramClient
    let store: any BotStore
    let service: ApprovalService
    let linking: AccountLinking?
    let texts: BotTexts
    let signal: WakeSignal
    /// Rung when the webhook route stored an update (webhook mode).
    let bell: InboxBell
    let adminChat: AdminChat
    let configuration: BotConfiguration
    let status: BotStatus
    let identity: BotIdentity
    let logger: Logger

    /// The kinds asked for (the server remembers the list), and the only kinds handled (``isHandled(_:)``): one
    /// list, so the bot never asks for what it drops nor drops what it asked for. `chat_member` (sent only where
    /// the bot is an administrator) tells the admin directory at once when someone is promoted or demoted; edits
    /// of messages are not asked for (an edited answer is not a new one).
    static let allowedUpdates = ["message", "callback_query", "my_chat_member", "chat_member"]
    /// How long shutdown waits for checks at an exchange before leaving them to the next start.
    static let checkDrainLimit: Duration = .seconds(15)

    func run() async throws {
        status.set("starting")
        guard let me = try await identify() else { return }
        identity.set(me.username)

        await CommandMenus(client: client, texts: texts, adminChat: adminChat, logger: logger).announce()
        let handling = UpdateHandling(
            client: client,
            store: store,
            service: service,
            linking: linking,
            texts: texts,
            signal: signal,
            adminChat: adminChat,
            configuration: configuration,
            botUsername: me.username,
            logger: logger
        )
        let budget = InboundBudget(limit: configuration.inboundLimit, window: configuration.inboundWindow)

        let resumed: Set<Int64>
        do {
            resumed = try await resume(handling)
        } catch {
            resumed = []
            logger.error(
                "could not read what the last run left; it is handled at the next start",
                metadata: ["error": "\(error)"]
            )
        }
        let orphans = Task { await scanForOrphanedChecks(handling) }
        if let webhook = configuration.webhook {
            status.set("webhook")
            logger.info(
                "Telegram bot receiving updates by webhook",
                metadata: ["bot": "\(me.username ?? String(me.id))", "webhook.host": "\(webhook.url.host ?? "")"]
            )
            await cancelWhenGracefulShutdown {
                await readInbox(handling, budget: budget, dispatched: resumed)
            }
        } else {
            status.set("polling")
            logger.info("Telegram bot polling", metadata: ["bot": "\(me.username ?? String(me.id))"])
            await cancelWhenGracefulShutdown {
                await poll(handling, budget: budget)
            }
        }
        status.set("stopping")
        // No check starts once the running ones are drained.
        orphans.cancel()
        await orphans.value
        // Cancelled (this instance lost the leader lease): the checks stop now, and the next leader resumes them.
        let cutShort = Task.isCancelled
        await handling.queues.drain()
        await handling.checks.drain(upTo: cutShort ? .zero : Self.checkDrainLimit)
        await handling.queues.drain()
        status.set("stopped")
    }

    // MARK: - Start

    /// `getMe` (retried while Telegram is unreachable), then sets the webhook or removes one so polling may run
    /// (see ``prepareReceiving()``). Throws when the token is refused: nothing else can work then. `nil` when shut
    /// down while waiting.
    private func identify() async throws -> TelegramAPIClient.User? {
        var delay: Duration = .seconds(1)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do throws(TelegramError) {
                let me = try await client.getMe()
                try await prepareReceiving()
                return me
            } catch .unauthorized, .notFound {
                status.set("token refused")
                throw BotStartError.tokenRefused
            } catch {
                logger.warning(
                    "Telegram is not reachable yet (or refused the webhook); retrying",
                    metadata: ["error": "\(error)"]
                )
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
        return nil
    }

    /// Handles what a crash left in the inbox and restarts checks cut short; returns the ids of the updates handed
    /// to their chats' queues.
    private func resume(_ handling: UpdateHandling) async throws -> Set<Int64> {
        let left = try await storedUpdates()
        var dispatched = Set<Int64>()
        if !left.isEmpty {
            logger.info("handling updates received before a restart", metadata: ["count": "\(left.count)"])
        }
        for received in left {
            dispatched.insert(received.id)
            // Admitted when they first arrived: not counted again.
            try await dispatchStored(received, handling, budget: nil)
        }
        try await resumeChecks(handling, named: "a key check cut short by a restart")
        return dispatched
    }

    /// Every ``BotConfiguration/orphanedCheckScanInterval``, resumes the checks of submissions that have waited
    /// longer than ``BotConfiguration/orphanedCheckAge`` and that no check of this instance runs: without it, a
    /// submission a former leader stored as it lost the lease would wait for the next restart.
    private func scanForOrphanedChecks(_ handling: UpdateHandling) async {
        while (try? await Task.sleep(for: configuration.orphanedCheckScanInterval)) != nil {
            let cutoff = Date().addingTimeInterval(-(configuration.orphanedCheckAge / .seconds(1)))
            do {
                try await resumeChecks(handling, named: "a key check no instance runs", submittedBefore: cutoff)
            } catch {
                logger.error("could not look for key checks no instance runs", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Starts the check of every conversation awaiting one, submitted before `cutoff` (``CheckRunner`` skips the
    /// ones it runs already); `label` names them in the log.
    private func resumeChecks(
        _ handling: UpdateHandling,
        named label: String,
        submittedBefore cutoff: Date = .distantFuture
    ) async throws {
        let runner = handling.runner
        for (telegramID, state) in try await store.conversationsAwaitingService() {
            if Task.isCancelled { return }
            guard let pending = state.pendingSubmission, pending.submittedAt < cutoff else { continue }
            // One conversation's trouble must not keep the others' checks from resuming.
            let found: ExchangeBotCore.User?
            do {
                found = try await store.userAndConversation(
                    telegramID: telegramID,
                    username: nil,
                    languageCode: nil,
                    createUser: false,
                    at: Date()
                ).user
            } catch {
                logger.error(
                    "\(label) could not resume; it is tried again later",
                    metadata: ["error": "\(error)"]
                )
                continue
            }
            guard let user = found else {
                // Unlinked or deleted while the check ran: there is no one to store the key for.
                // On the chat's queue, like every verdict: the chat's updates left in the inbox are queued already.
                logger.notice("\(label) ends: its Telegram account has no user any more")
                handling.queues.enqueue(telegramID, bounded: false) {
                    await runner.finishCheck(telegramID: telegramID, result: .failure(.userNotFound))
                }
                continue
            }
            logger.info("resuming \(label)", metadata: ["user": "\(user.id)"])
            await handling.checks.start(
                telegramID: telegramID,
                caller: Caller(submitterOf: pending, user: user),
                pending: pending,
                resumed: true
            ) { verdict in
                await runner.finishCheck(telegramID: telegramID, result: verdict)
            }
        }
    }

    // MARK: - Polling

    private func poll(_ handling: UpdateHandling, budget: InboundBudget) async {
        // Without the stored offset, Telegram would send again updates handled already: wait for it.
        var offset: Int64?
        while true {
            do {
                offset = try await store.nextOffset()
                break
            } catch {
                logger.error("could not read the stored update offset; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
                if Task.isCancelled { return }
            }
        }
        var failures = 0
        while !Task.isCancelled {
            do {
                let updates = try await client.getUpdates(
                    offset: offset,
                    timeout: configuration.pollTimeout,
                    allowedUpdates: Self.allowedUpdates
                )
                failures = 0
                status.set("polling")
                guard let last = updates.map(\.updateID).max() else { continue }
                // Update ids are outside data: `last + 1` must not trap on Int64.max (which Telegram never sends).
                let next = last == .max ? last : last + 1
                let ordered = updates.sorted { $0.updateID < $1.updateID }
                let encoder = JSONEncoder()
                let storable = try ordered.filter(Self.isHandled).map {
                    ReceivedUpdate(id: $0.updateID, payload: try encoder.encode($0))
                }
                try await store.receive(storable, nextOffset: next)
                offset = next
                for update in ordered {
                    if Self.isHandled(update) {
                        await dispatch(update, handling, budget: budget)
                    } else {
                        logger.notice(
                            "skipped an update the bot does not read",
                            metadata: ["kind": "\(update.kind.name ?? "undecodable")"]
                        )
                    }
                }
            } catch let error as TelegramError {
                if Task.isCancelled { return }
                failures += 1
                let delay: Duration
                switch error {
                case .conflict(let description):
                    status.set("conflict")
                    logger.error(
                        "another process is polling with this bot token (or a webhook is set); retrying in 10 s",
                        metadata: ["telegram": "\(description)"]
                    )
                    delay = .seconds(10)
                case .unauthorized, .notFound:
                    status.set("token refused")
                    logger.critical("Telegram refuses the bot token; retrying in 60 s")
                    delay = .seconds(60)
                default:
                    logger.warning("getUpdates failed", metadata: ["error": "\(error)"])
                    delay = .seconds(min(30, 1 << min(failures, 5)))
                }
                try? await Task.sleep(for: delay)
            } catch {
                if Task.isCancelled { return }
                logger.error(
                    "received updates could not be stored; polling them again",
                    metadata: ["error": "\(error)"]
                )
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}

/// Why the bot could not start.
public enum BotStartError: Error, CustomStringConvertible {
    case tokenRefused

    public var description: String {
        switch self {
        case .tokenRefused: "Telegram refused TELEGRAM_BOT_TOKEN (401/404): check the token with @BotFather"
        }
    }
}
