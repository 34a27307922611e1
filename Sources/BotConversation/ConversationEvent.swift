import ExchangeBotCore
import Foundation

/// Something that happened in a user's chat, or the answer to something the conversation asked for.
/// Named for what happened, not for what to do.
public enum ConversationEvent: Equatable, Sendable {
    /// A `/command` (without the bot's `@name`), in a private chat or a group.
    case commandReceived(Command, chat: ChatKind)
    /// Plain text; `messageID` lets the bot delete a message that holds a secret.
    case textReceived(String, messageID: Int64, chat: ChatKind)
    /// A message without text (a photo, a file, a sticker): a screenshot of a key is a credential too.
    case nonTextReceived(messageID: Int64, chat: ChatKind)
    /// An inline button of ours was pressed.
    case buttonPressed(ButtonAction, queryID: String)
    /// The user's keys, as asked for by ``ConversationEffect/listKeys``.
    case keysListed([ExchangeKey])
    /// The user's keys, as asked for by ``ConversationEffect/listMoreKeys(from:)``.
    case keysPageListed([ExchangeKey], from: Int)
    /// ``ConversationEffect/submit(_:updating:)`` was taken up: the key is about to go to its exchange, and is kept
    /// in the state (``ConversationState/pendingSubmission``) until its answer is stored.
    case submissionStarted(PendingSubmission)
    /// The exchange's answer to ``ConversationEffect/submit(_:updating:)``.
    case submissionFinished(Result<ExchangeKey, ApprovalError>)
    /// A successful answer with what the user should still fix on the exchange (shown under "awaiting approval").
    case checkPassed(ExchangeKey, warnings: [KeyWarning])
    /// The answer to ``ConversationEffect/setActive(keyID:active:)`` or ``ConversationEffect/deleteKey(keyID:)``.
    case actionFinished(ActionOutcome)
    /// `/start <payload>`: a link code's hash (see ``ConversationEffect/lookUpLinkCode(_:)``), or `nil` when the
    /// payload cannot be a code. In a group the payload is never looked at: the code stays unused.
    case linkCodeReceived(Data?, chat: ChatKind)
    /// The active user a code names, as asked for by ``ConversationEffect/lookUpLinkCode(_:)``; `nil` for a code
    /// that is unknown, used or expired.
    case linkCodeLookedUp(codeHash: Data, user: User?)
    /// The answer to ``ConversationEffect/link(codeHash:)``.
    case linkFinished(LinkOutcome)
    /// The answer to ``ConversationEffect/unlink``.
    case unlinkFinished(UnlinkOutcome)
    /// The conversation was left alone past ``ConversationMachine/idleTimeout``, as its store saw it (the bot's
    /// hourly sweep): a draft's secret is dropped, the step kept, so a late answer is still recognised, and
    /// deleted, as one.
    case expired

    public enum ActionOutcome: Equatable, Sendable {
        case activeChanged(ExchangeKey)
        /// Deleted, as it was just before.
        case removed(ExchangeKey)
        /// Gone before it could be deleted (deleted already, by this very update before a crash or over REST).
        case deleted(keyID: Int64)
        /// The key as it is now, as asked for by ``ConversationEffect/showKey(keyID:)``.
        case shown(ExchangeKey)
        case failed(ApprovalError)
    }

    public enum ChatKind: Equatable, Sendable {
        case privateChat
        case group
    }

    /// The users' commands: the one list the parser, the command menu and the machine read.
    public enum Command: String, Equatable, Sendable, CaseIterable {
        case start, help, add, exchanges, cancel, language, unlink

        /// The commands in the private chats' menu, in its order (`/start` is Telegram's own button).
        public static let menu: [Command] = [.add, .exchanges, .cancel, .language, .unlink, .help]
    }
}

/// What an inline button means, encoded in its `callback_data` (at most 64 bytes: `add:okx`, `act:12`, …).
public enum ButtonAction: Equatable, Sendable {
    case chooseExchange(ExchangeID)
    case activate(keyID: Int64)
    case deactivate(keyID: Int64)
    case updateKeys(keyID: Int64, exchange: ExchangeID)
    case delete(keyID: Int64)
    case confirmDelete(keyID: Int64)
    case cancelDelete(keyID: Int64)
    /// "More" under a page of key cards: the next page starts at this index.
    case moreKeys(from: Int)
    /// A language from ``ConversationMachine/languages``.
    case chooseLanguage(String)
    /// "Link" / "Cancel" under a link confirmation; the tag (``ConversationMachine/linkTag(_:)``) names the code
    /// asked about, so a button under an older confirmation is stale.
    case confirmLink(tag: String)
    case cancelLink(tag: String)
    case confirmUnlink
    case cancelUnlink
    /// The buttons under a failed check (``ConversationState/Step/checkFailed(_:)``) and a timeout
    /// (``ConversationState/Step/timedOut(_:)``): the draft they act on is the conversation's own.
    case checkAgain
    case reenterKey
    case cancelDraft
    case continueDraft
    /// The buttons under `/start`: the same as `/add` and `/exchanges`.
    case startAdding
    case showKeys

    /// The `callback_data` text.
    public var data: String {
        switch self {
        case .chooseExchange(let exchange): "add:\(exchange.rawValue)"
        case .activate(let id): "act:\(id)"
        case .deactivate(let id): "deact:\(id)"
        case .updateKeys(let id, let exchange): "upd:\(id):\(exchange.rawValue)"
        case .delete(let id): "del:\(id)"
        case .confirmDelete(let id): "delok:\(id)"
        case .cancelDelete(let id): "delno:\(id)"
        case .moreKeys(let from): "more:\(from)"
        case .chooseLanguage(let code): "lang:\(code)"
        case .confirmLink(let tag): "linkok:\(tag)"
        case .cancelLink(let tag): "linkno:\(tag)"
        case .confirmUnlink: "unlink:ok"
        case .cancelUnlink: "unlink:no"
        case .checkAgain: "draft:again"
        case .reenterKey: "draft:key"
        case .cancelDraft: "draft:cancel"
        case .continueDraft: "draft:continue"
        case .startAdding: "menu:add"
        case .showKeys: "menu:keys"
        }
    }

    /// Parses `callback_data`; anything else (stale or forged data) is `nil`.
    public init?(data: String) {
        let parts = data.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        if parts[0] == "add" {
            guard let exchange = ExchangeID(rawValue: parts[1]) else { return nil }
            self = .chooseExchange(exchange)
            return
        }
        if parts[0] == "lang" {
            guard ConversationMachine.languages.contains(where: { $0.code == parts[1] }) else { return nil }
            self = .chooseLanguage(parts[1])
            return
        }
        switch (parts[0], parts[1]) {
        case ("linkok", let tag) where ConversationMachine.isLinkTag(tag):
            self = .confirmLink(tag: tag)
            return
        case ("linkno", let tag) where ConversationMachine.isLinkTag(tag):
            self = .cancelLink(tag: tag)
            return
        case ("unlink", "ok"):
            self = .confirmUnlink
            return
        case ("unlink", "no"):
            self = .cancelUnlink
            return
        case ("draft", "again"):
            self = .checkAgain
            return
        case ("draft", "key"):
            self = .reenterKey
            return
        case ("draft", "cancel"):
            self = .cancelDraft
            return
        case ("draft", "continue"):
            self = .continueDraft
            return
        case ("menu", "add"):
            self = .startAdding
            return
        case ("menu", "keys"):
            self = .showKeys
            return
        default:
            break
        }
        if parts[0] == "upd" {
            let fields = parts[1].split(separator: ":").map(String.init)
            guard fields.count == 2, let id = Int64(fields[0]), id > 0, let exchange = ExchangeID(rawValue: fields[1])
            else { return nil }
            self = .updateKeys(keyID: id, exchange: exchange)
            return
        }
        guard let id = Int64(parts[1]), id > 0 else { return nil }
        switch parts[0] {
        case "act": self = .activate(keyID: id)
        case "deact": self = .deactivate(keyID: id)
        case "del": self = .delete(keyID: id)
        case "delok": self = .confirmDelete(keyID: id)
        case "delno": self = .cancelDelete(keyID: id)
        case "more" where id <= Int64(Int32.max): self = .moreKeys(from: Int(id))
        default: return nil
        }
    }
}
