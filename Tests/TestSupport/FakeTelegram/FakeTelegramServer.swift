import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A strict stand-in for the Telegram Bot API on loopback, for end-to-end tests of a long-polling bot without the
/// network.
///
/// It is strict where Telegram is strict (HTML entity parsing, 1–4096 characters, 1–64 byte `callback_data`,
/// one poller at a time, late callback answers), answers with Telegram's envelope, status codes and error texts
/// (fact sheet `shared/reference/telegram.md`), and records every call. The test plays the users: it writes
/// messages and presses buttons, which become updates the bot long-polls; it can inject faults and switch on
/// Telegram's send limits. Point the bot's `TELEGRAM_API_URL` at ``baseURL``.
public final class FakeTelegramServer: Sendable {
    /// Why ``start(token:options:)`` failed when the server gave no error of its own.
    public struct StartError: Error, CustomStringConvertible {
        public var description: String { "the fake Telegram server stopped before it was listening" }
    }

    let core: FakeTelegramCore
    /// `http://127.0.0.1:<port>`, without a trailing slash; requests go to `{baseURL}/bot{token}/{method}`.
    public let baseURL: URL
    private let server: LoopbackServer
    /// Posts updates while a webhook is set (see ``FakeTelegramCore/deliverWebhooks()``).
    private let webhookPoster: Task<Void, Never>

    /// The only token the fake accepts.
    public var token: String { core.token }
    /// The bot account, as getMe reports it; use it with ``setMember(_:in:status:)`` to make the bot an admin.
    public var bot: FakeUser { core.bot }

    private init(core: FakeTelegramCore, baseURL: URL, server: LoopbackServer) {
        self.core = core
        self.baseURL = baseURL
        self.server = server
        webhookPoster = Task { await core.deliverWebhooks() }
    }

    /// A test that forgets ``stop()`` must not leave a listener running for the rest of the test process.

    /// Starts a fake on 127.0.0.1 at a port the OS picks.
    ///
    /// - Parameters:
    ///   - token: The bot token the fake accepts, `<bot id>:<secret>`; others get 401 (or 404 when malformed).
    ///   - options: Bot identity, first update id, callback answer window, `&` strictness.
    public static func start(token: String, options: FakeTelegramOptions = .init()) async throws
        -> FakeTelegramServer
    {
        let core = FakeTelegramCore(token: token, options: options)
        let server = try await LoopbackServer.start(label: "FakeTelegramServer") { request in
            await core.respond(to: request)
        }
        guard let baseURL = URL(string: "http://127.0.0.1:\(server.port)") else { throw StartError() }
        return FakeTelegramServer(core: core, baseURL: baseURL, server: server)
    }

    /// Ends held long polls (they answer an empty batch, as at a timeout) and stops listening.
    public func stop() async {
        core.mutate { $0.stopping = true }
        webhookPoster.cancel()
        await server.stop()
    }

    // MARK: The simulated world

    /// Makes a chat known before anyone writes in it (an admin group the bot is configured with, say); sending to
    /// an unknown chat is "chat not found", as for a chat the bot was never in.
    public func addChat(_ chat: FakeChat) {
        core.mutate { $0.register(chat) }
    }

    /// Sets what getChatMember reports for `user` in `chat` (registering both). Users who wrote in a chat are
    /// members by default; known users who did not are `left`. Pass ``bot`` to make the bot an administrator,
    /// which Telegram requires before a bot may delete others' messages in a group.
    public func setMember(_ user: FakeUser, in chat: FakeChat, status: FakeChatMemberStatus) {
        core.mutate { state in
            if user.id != core.bot.id { state.register(user) }
            state.register(chat)
            state.chats[chat.id]?.members[user.id] = status
            state.chats[chat.id]?.rights[user.id] = nil
        }
    }

    /// Makes `user` an administrator of `chat` with exactly `rights` (`can_manage_chat`, `can_delete_messages`,
    /// …; empty for an administrator in name only), as getChatMember then reports it.
    public func setAdministrator(_ user: FakeUser, in chat: FakeChat, rights: Set<String>) {
        core.mutate { state in
            state.register(user)
            state.register(chat)
            state.chats[chat.id]?.members[user.id] = .administrator
            state.chats[chat.id]?.rights[user.id] = rights
        }
    }

    /// Someone (`by`, an admin) changes `user`'s membership of a group, as in Telegram's member settings: the
    /// change applies, and a `chat_member` update reports it if the bot asked for that kind in `allowed_updates`
    /// (Telegram sends it only then, and only to administrators, which the test arranges).
    ///
    /// - Returns: The update id, or nil when the bot's `allowed_updates` filters the kind out.
    @discardableResult
    public func changeMember(
        _ user: FakeUser,
        in chat: FakeChat,
        to status: FakeChatMemberStatus,
        rights: Set<String>? = nil,
        by admin: FakeUser
    ) -> Int? {
        core.mutate { state -> Int? in
            state.register(user)
            state.register(admin)
            state.register(chat)
            let oldStatus = state.chats[chat.id]?.members[user.id] ?? .left
            let oldRights = state.chats[chat.id]?.rights[user.id]
            state.chats[chat.id]?.members[user.id] = status
            state.chats[chat.id]?.rights[user.id] = rights
            let change: FakeTelegramValue = [
                "chat": chat.json, "from": admin.json, "date": .integer(Int64(Date().timeIntervalSince1970)),
                "old_chat_member": FakeTelegramCore.memberJSON(user: user, status: oldStatus, rights: oldRights),
                "new_chat_member": FakeTelegramCore.memberJSON(user: user, status: status, rights: rights),
            ]
            return state.enqueue(kind: "chat_member") { id in
                "{\"update_id\":\(id),\"chat_member\":\(change.json)}"
            }
        }
    }

    /// A user writes `text` in `chat`; the bot receives it as a `message` update. Commands (`/start`) carry a
    /// `bot_command` entity as in Telegram; `replyTo` makes it a reply (how an admin answers a ForceReply).
    ///
    /// - Returns: The new message's id in that chat (the message exists even if `allowed_updates` filtered the
    ///   update out).
    @discardableResult
    public func sendUserMessage(from user: FakeUser, chat: FakeChat, text: String, replyTo: Int? = nil) -> Int {
        precondition(chat.kind != .privateChat || chat.id == user.id, "a private chat's id is the user's id")
        return core.userMessage(from: user, chat: chat, text: text, replyTo: replyTo)
    }

    /// A user presses an inline button; the bot receives a `callback_query` update. The data is not checked
    /// against the keyboard, since a stale client can send data the message no longer shows; a deleted or unknown
    /// message arrives as an `InaccessibleMessage` (`date` 0).
    ///
    /// - Returns: The callback query id the bot must answer.
    @discardableResult
    public func pressButton(from user: FakeUser, message: (chat: FakeChat, messageID: Int), data: String) -> String {
        core.press(from: user, chat: message.chat, messageID: message.messageID, data: data, now: core.elapsed())
    }

    /// Presses the button captioned `caption` on a message the bot sent; nil when it has no such callback button.
    @discardableResult
    public func pressButton(from user: FakeUser, on message: FakeSentMessage, caption: String) -> String? {
        guard let data = message.button(caption)?.callbackData,
            let chat = core.state.withLock({ $0.chats[message.chatID]?.chat })
        else { return nil }
        return pressButton(from: user, message: (chat, message.messageID), data: data)
    }

    /// Queues an update as raw JSON text, for kinds the fake does not model and for malformed updates a bot must
    /// skip. `"update_id":N` is put first unless the text has one or is not an object (then the text is sent
    /// as is and N only orders confirmation).
    ///
    /// - Returns: The update id, or nil when the bot's `allowed_updates` filters the kind out.
    @discardableResult
    public func enqueueRaw(_ json: String) -> Int? {
        core.enqueueRaw(json)
    }

    /// Upgrades a basic group to a supergroup: service messages go to both chats (`migrate_to_chat_id`,
    /// `migrate_from_chat_id`), members carry over, and every later request naming the old id gets 400 with
    /// `parameters.migrate_to_chat_id`, as Telegram answers.
    @discardableResult
    public func migrateGroup(_ group: FakeChat, to supergroupID: Int64, by user: FakeUser) -> FakeChat {
        core.migrate(group, to: supergroupID, by: user)
    }

    // MARK: Faults and limits

    /// Queues faults answered instead of handling the next requests: for one method (case-insensitive), or for
    /// whatever method comes next when `method` is nil. getUpdates takes only faults queued for it by name, since
    /// a bot polls all the time and would otherwise swallow faults meant for its sends.
    public func injectErrors(_ errors: [FakeTelegramFault], for method: String? = nil) {
        core.mutate { $0.faults[method?.lowercased() ?? "", default: []].append(contentsOf: errors) }
    }

    /// Makes sendMessage answer 429 when the bot exceeds Telegram's published limits (1 message per second per
    /// chat, 20 per minute per group, 30 per second overall), with the `retry_after` after which a retry passes.
    public func enforceRateLimits(perChatPerSecond: Double = 1, perGroupPerMinute: Int = 20, globalPerSecond: Int = 30)
    {
        let limiter = FakeTelegramRateLimiter(
            perChatPerSecond: perChatPerSecond,
            perGroupPerMinute: perGroupPerMinute,
            globalPerSecond: globalPerSecond
        )
        core.mutate { $0.rateLimiter = limiter }
    }

    /// Stops the fake's clock (rate limits, callback expiry) where it is; ``advanceClock(by:)`` then moves it.
    public func freezeClock() { core.freezeClock() }

    /// Moves a frozen clock forward.
    public func advanceClock(by seconds: Double) { core.advanceClock(by: seconds) }

    /// Switches the limits of ``enforceRateLimits(perChatPerSecond:perGroupPerMinute:globalPerSecond:)`` off again.
    public func disableRateLimits() {
        core.mutate { $0.rateLimiter = nil }
    }

    /// Every 429 served so far, injected or from the rate limiter: a bot that honours `retry_after` keeps this low.
    public var tooManyRequestsCount: Int { core.state.withLock { $0.tooManyRequestsServed } }

    /// Changes how long callback queries stay answerable (Telegram: about 15 s), so expiry tests need not wait.
    public func setCallbackQueryTimeout(seconds: Double) {
        core.mutate { $0.callbackQueryTimeout = seconds }
    }

    // MARK: Webhook mode

    /// The URL `setWebhook` registered; nil while the bot polls (or before it set one).
    public var webhookURL: URL? { core.state.withLock { $0.webhook?.url } }

    /// Posts go to these origins (keeping the registered URL's path), each chat's in turn, as a load balancer in
    /// front of several instances spreads them: a chat's consecutive updates reach different instances. Empty: to
    /// the registered URL.
    public func balanceWebhook(across origins: [URL]) {
        core.mutate { $0.webhookOrigins = origins }
    }

    /// Every post made to the webhook so far, oldest first, with its answer's status.
    public func webhookDeliveries() -> [FakeWebhookDelivery] {
        core.state.withLock { $0.webhookDeliveries }
    }

    /// Posts an update the bot already answered 2xx once more, as Telegram does when that answer was lost (after
    /// the bot's commit, a proxy's timeout); `false` when the update was never answered 2xx.
    @discardableResult
    public func repostAnsweredWebhookUpdate(_ updateID: Int) -> Bool {
        core.repostAnsweredWebhookUpdate(updateID)
    }

    // MARK: Inspection

    /// Requests so far, oldest first; only those for `method` (case-insensitive) when given.
    public func calls(_ method: String? = nil) -> [FakeTelegramCall] {
        let all = core.state.withLock { $0.calls }
        guard let method else { return all }
        return all.filter { $0.method.caseInsensitiveCompare(method) == .orderedSame }
    }

    /// Every message in a chat, the bot's and the users', by message id, deleted ones included (flagged).
    public func messages(in chat: Int64) -> [FakeSentMessage] {
        core.state.withLock { $0.chats[chat]?.messages ?? [] }
    }

    /// The bot's messages in a chat that are not deleted, oldest first: what the user still sees from the bot.
    public func botMessages(in chat: Int64) -> [FakeSentMessage] {
        messages(in: chat).filter { $0.isOutgoing && !$0.isDeleted }
    }

    /// One message by id.
    public func message(in chat: Int64, id: Int) -> FakeSentMessage? {
        messages(in: chat).first { $0.messageID == id }
    }

    /// Every button press delivered so far, oldest first, with the bot's answer.
    public func callbackQueries() -> [FakeCallbackQuery] {
        core.state.withLock { state in state.callbackOrder.compactMap { state.callbackQueries[$0]?.query } }
    }

    /// Ids of presses the bot never answered: each leaves a spinner on the user's screen.
    public func unansweredCallbackQueries() -> [String] {
        callbackQueries().filter { !$0.isAnswered }.map(\.id)
    }

    /// Command menus registered with setMyCommands, per scope and language.
    public func commandSets() -> [FakeCommandSet] {
        core.state.withLock { $0.commandSets }
    }

    /// Updates not yet confirmed by a higher offset (delivered ones included, as in Telegram's getWebhookInfo).
    public var pendingUpdateCount: Int { core.state.withLock { $0.updates.count } }

    /// True while a getUpdates request is being answered or held: lets a test wait until the bot polls before
    /// playing a user, so the update exercises the long-poll wake-up rather than the queue.
    public var isPolling: Bool { core.state.withLock { $0.pollsInProgress > 0 } }

    /// The highest positive offset the bot has passed to getUpdates; 0 before it confirmed anything.
    public var confirmedOffset: Int { core.state.withLock { $0.confirmedOffset } }

    /// Waits until `condition` holds, re-checking whenever the fake's state changes (and every 50 ms for
    /// conditions on other things), instead of sleeping for a guessed time.
    ///
    /// - Returns: Whether the condition held before `timeout`.
    @discardableResult
    public func waitUntil(timeout: Duration = .seconds(10), _ condition: @Sendable () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            let version = core.signal.version
            if condition() { return true }
            let now = ContinuousClock.now
            if now >= deadline || Task.isCancelled { return false }
            await core.signal.wait(after: version, until: min(deadline, now + .milliseconds(50)))
        }
    }
}
