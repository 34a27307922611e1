import ExchangeBotCore
import Foundation

/// What the bot keeps between restarts: received updates not yet handled, the update offset, each user's
/// conversation, queued outgoing calls, and what it posted in the admin group.
///
/// The guarantee the bot's exactly-once handling rests on: ``receive(_:nextOffset:)`` stores a batch and the
/// offset that confirms it in one transaction, and ``commit(_:)`` removes a handled update together with
/// everything handling it changed. Conversations and received updates may hold secrets: implementations encrypt
/// them at rest.
public protocol BotStore: Sendable {
    /// The offset for the next `getUpdates`, if one was stored.
    func nextOffset() async throws -> Int64?

    /// Stores received updates (serialised) and the offset that confirms them. An id received before is ignored,
    /// whether it still waits, was handled, parked or dropped, for ``SeenUpdates/retention`` after it first came
    /// (webhook re-posts). The id is remembered here, in the transaction that stores the update, not when it is
    /// handled: then every way out of the inbox counts, and a re-post can never race the commit that handles it.
    func receive(_ updates: [ReceivedUpdate], nextOffset: Int64) async throws

    /// Received updates not yet handled and not parked, oldest first; and the ids of rows no configured key
    /// opens, which are dropped (they can never be handled) for the caller to log.
    func unhandledUpdates() async throws -> (updates: [ReceivedUpdate], dropped: [Int64])

    /// Records that handling `updateID` is about to change something outside the bot's own commit (a decision
    /// through the approval service). `true` when it had been recorded before: the update is being handled again
    /// after a crash, and a refusal such as "already decided" may be its own earlier effect.
    func beginOutsideEffect(updateID: Int64) async throws -> Bool

    /// Sets aside an update that could not be handled (storage failing while it was handled): it is no longer
    /// handled at a start, so it cannot come back later behind newer updates of its chat. Kept (encrypted) for a
    /// week for inspection, then tidied.
    func park(updateID: Int64, at date: Date) async throws

    func conversation(ofUser telegramID: Int64) async throws -> ConversationState?

    /// The Telegram user's row in `users` and their conversation, read together: what handling one of their updates
    /// starts from, in one read. With `createUser` a Telegram user no one knows gets a row (an account the bot made
    /// for them); without it they are `nil` (`TELEGRAM_SIGNUP=linked`). A write happens only for a new user or to
    /// fill a name or language still empty: a stored name is never rewritten from Telegram, since `users` may be the
    /// platform's.
    func userAndConversation(
        telegramID: Int64,
        username: String?,
        languageCode: String?,
        createUser: Bool,
        at date: Date
    ) async throws -> (user: User?, conversation: ConversationState?)

    /// Conversations with a key at the exchange (see ``ConversationState/pendingSubmission``).
    func conversationsAwaitingService() async throws -> [(telegramID: Int64, state: ConversationState)]

    /// Applies everything handling one update (or one finished check) changed, in one transaction. Where several
    /// instances share the store, throws ``UpdateHandledElsewhere`` (changing nothing) when the handled update has
    /// already left the inbox, and ``CheckFinishedElsewhere`` when the check it closes has had its verdict.
    func commit(_ commit: BotCommit) async throws

    /// The oldest queued action of each lane (see ``OutgoingAction/lane``) except `busyLanes`, oldest first: what
    /// may go next.
    func nextOutgoing(limit: Int, excludingLanes busyLanes: Set<Int64>) async throws -> [QueuedOutgoing]

    /// Marks a queued call done and keeps what ``QueuedOutgoing/record(of:)`` says of it (a sent request's or
    /// reason prompt's id for later edits; a "Checking…" message replaced). The row is the one ``nextOutgoing``
    /// gave: its action is in hand, so nothing is read back.
    func finishOutgoing(_ row: QueuedOutgoing, result: OutgoingResult) async throws

    /// The request messages posted for a key, with their texts.
    func requestMessages(ofKey keyID: Int64) async throws -> [PostedMessage]

    /// The "reply with the reason" messages posted for a key, with their texts.
    func reasonPrompts(ofKey keyID: Int64) async throws -> [PostedMessage]

    /// The "Checking…" message last sent to a private chat and not yet replaced by its verdict.
    func checkingMessage(chatID: Int64) async throws -> PostedMessage?

    /// The key (and its version) a "reply with the reason" message asks about, and whom it asks.
    func reasonPrompt(chatID: Int64, messageID: Int) async throws -> ReasonPrompt?

    /// The admin group's id after Telegram moved it to a supergroup, if it moved the group that `configured`
    /// (`ADMIN_CHAT_ID`) names: a migration recorded for another group is not applied, so pointing
    /// `ADMIN_CHAT_ID` at a new group takes the power away from the old one.
    func adminChatOverride(configured: Int64) async throws -> Int64?

    /// Records that the group `configured` names now has the id `chatID`.
    func setAdminChatOverride(_ chatID: Int64, configured: Int64) async throws

    /// Users who blocked the bot: notifications to them are dropped until they write again.
    func setUnreachable(telegramID: Int64, _ unreachable: Bool, at date: Date) async throws

    func isUnreachable(telegramID: Int64) async throws -> Bool

    /// Conversations not moved on since `date` and not waiting for a key check: the ones the machine may expire.
    func conversations(idleSince date: Date) async throws -> [(telegramID: Int64, state: ConversationState)]

    /// Forgets what is no longer needed: sent actions and parked updates after a week, received update ids after
    /// ``SeenUpdates/retention``, and posted messages of decided keys. (Abandoned drafts are the conversation's
    /// business: see ``ConversationEvent/expired``.)
    func tidy(now: Date) async throws
}

/// One update as received: its id and its JSON (which may hold a secret the user typed).
public struct ReceivedUpdate: Sendable, Equatable {
    public var id: Int64
    public var payload: Data

    public init(id: Int64, payload: Data) {
        self.id = id
        self.payload = payload
    }
}

/// The changes of handling one update, applied together.
public struct BotCommit: Sendable {
    /// Removed from the received updates: it is handled.
    public var handledUpdateID: Int64?
    /// New conversation states by Telegram user id.
    public var conversations: [Int64: ConversationState]
    public var outgoing: [QueuedAction]
    /// A user's chosen language, kept by the store for the Telegram account (not in the platform's `users`).
    public var language: (telegramID: Int64, code: String)?
    /// A user who wrote to the bot: reachable again if they had blocked it (see
    /// ``BotStore/setUnreachable(telegramID:_:at:)``). Part of the commit so that writing costs no transaction of
    /// its own.
    public var reachable: Int64?
    /// Set for conversations changed outside their chat's queue (expired by the sweeper): each is written only if
    /// its stored row has not moved on since this date, so a message handled meanwhile is never overwritten.
    public var onlyIfIdleSince: Date?
    /// The Telegram user whose key check this commit gives the verdict of: applied only while their conversation
    /// still awaits a check, else ``CheckFinishedElsewhere`` and nothing changes (one verdict per submission, also
    /// when two instances ran its check).
    public var closesCheckOf: Int64?

    public init(
        handledUpdateID: Int64? = nil,
        conversations: [Int64: ConversationState] = [:],
        outgoing: [QueuedAction] = [],
        language: (telegramID: Int64, code: String)? = nil,
        reachable: Int64? = nil,
        onlyIfIdleSince: Date? = nil,
        closesCheckOf: Int64? = nil
    ) {
        self.handledUpdateID = handledUpdateID
        self.conversations = conversations
        self.outgoing = outgoing
        self.language = language
        self.reachable = reachable
        self.onlyIfIdleSince = onlyIfIdleSince
        self.closesCheckOf = closesCheckOf
    }
}

/// An action to queue; one with a `dedupeKey` already queued (even if sent) is not queued twice, which makes
/// redelivered notifications harmless.
///
/// The actions a key event queues share its tag (``eventTag(_:)``) as their dedupe keys' prefix. A
/// ``OutgoingAction/closeRequests(keyID:note:)`` drops the key's requests still unsent, except those that its own
/// event or a later one queued (see ``closesQueuedActions``): an event delivered twice (after a
/// crash, or by the relay's sweep while its first delivery was still running) must not drop the request card its
/// first delivery queued, whose second copy the dedupe key then refuses.
public struct QueuedAction: Sendable, Equatable {
    public var action: OutgoingAction
    public var dedupeKey: String?

    public init(_ action: OutgoingAction, dedupeKey: String? = nil) {
        self.action = action
        self.dedupeKey = dedupeKey
    }

    /// What every event tag starts with. The stores' SQL that closes queued actions reads the same prefix.
    private static let eventTagPrefix = "event:"

    /// The prefix of the dedupe keys of the actions one key event queues: `event:<outbox id>`.
    public static func eventTag(_ outboxID: Int64) -> String { eventTagPrefix + String(outboxID) }

    /// The outbox id of the key event that queued an action with this dedupe key; `nil` for actions no event queued.
    public static func eventID(ofDedupeKey key: String?) -> Int64? {
        guard let key, key.hasPrefix(eventTagPrefix) else { return nil }
        return Int64(key.dropFirst(eventTagPrefix.count).prefix { $0 != ":" })
    }

    /// For a close: the key's unsent actions it drops are those of events before this one, and those no event
    /// queued (everything, when no event queued the close itself). The stores compare it with the outbox id in each
    /// row's dedupe key, which ``eventTag(_:)`` puts first.
    public var closesQueuedActions: (ofEventsBefore: Int64, keyID: Int64)? {
        guard case .closeRequests(let keyID, _) = action else { return nil }
        return (Self.eventID(ofDedupeKey: dedupeKey) ?? .max, keyID)
    }
}

public struct QueuedOutgoing: Sendable, Equatable {
    public var id: Int64
    public var action: OutgoingAction
    /// The chat it goes to is a user who blocked the bot: read with the row, so the sender needs no second read.
    public var recipientUnreachable: Bool

    public init(id: Int64, action: OutgoingAction, recipientUnreachable: Bool = false) {
        self.id = id
        self.action = action
        self.recipientUnreachable = recipientUnreachable
    }

    public var lane: Int64 { action.lane }

    /// What the store keeps once this call ended with `result`, besides marking it done: the one rule both engines
    /// apply.
    public func record(of result: OutgoingResult) -> SentRecord {
        guard case .sent(let posted) = result else { return .nothing }
        switch action {
        case .send(let message):
            guard let posted, message.purpose != .plain else { return .nothing }
            return .remember(posted, message.purpose)
        case .replaceChecking(let message):
            // The verdict is on screen, edited in or sent anew: the "Checking…" message is done with.
            guard case .chat(let chatID) = message.destination else { return .nothing }
            return .forgetChecking(chatID: chatID)
        case .editMessage, .closeRequests:
            return .nothing
        }
    }
}

/// What a store keeps of a finished call (see ``QueuedOutgoing/record(of:)``).
public enum SentRecord: Sendable, Equatable {
    case nothing
    /// A posted message to find again later (to close a request, to read a reason reply, to edit "Checking…").
    case remember(PostedMessage, OutgoingMessage.Purpose)
    /// The chat's remembered "Checking…" message is done with.
    case forgetChecking(chatID: Int64)
}

/// A "reply with the reason" message as posted: the key and version it asks about, and the admin it asks (`nil` for
/// prompts posted by older builds, which any admin may answer).
public struct ReasonPrompt: Sendable, Equatable {
    public var keyID: Int64
    public var revision: String?
    public var admin: Int64?

    public init(keyID: Int64, revision: String?, admin: Int64? = nil) {
        self.keyID = keyID
        self.revision = revision
        self.admin = admin
    }
}

/// How a queued call ended.
public enum OutgoingResult: Sendable, Equatable {
    /// Sent; for a message, where it landed.
    case sent(PostedMessage?)
    /// Given up (the chat refused it, or the outcome is unknown and repeating could show it twice); the reason is
    /// for the log.
    case abandoned(String)
}

/// A message the bot posted: where, and its text (for re-editing it later).
public struct PostedMessage: Sendable, Equatable {
    public var chatID: Int64
    public var messageID: Int
    public var text: String

    public init(chatID: Int64, messageID: Int, text: String) {
        self.chatID = chatID
        self.messageID = messageID
        self.text = text
    }
}
