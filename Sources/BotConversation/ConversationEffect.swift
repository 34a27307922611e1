import ExchangeBotCore
import Foundation

/// What the conversation wants done: messages to send, messages to delete, calls to the approval service. The
/// runner performs them in order and feeds answers back as events.
public enum ConversationEffect: Equatable, Sendable {
    case send(Reply)
    /// Sends "Checking the key…", remembered so that the check's verdict can replace it.
    case sendChecking(Reply)
    /// A check's verdict: replaces the "Checking…" message in place (its buttons with it); sent as a new message
    /// when there is none to edit.
    case replaceChecking(Reply)
    /// Deletes a user's message that held a credential.
    case deleteMessage(messageID: Int64)
    /// Answers a button press (always, and first: Telegram shows a spinner until then); an alert for refusals.
    case answerButton(queryID: String, alert: Reply.Text?)
    /// Reads the user's keys for `/exchanges` (answered by ``ConversationEvent/keysListed(_:)``).
    case listKeys
    /// Reads the user's keys for the page of cards that starts at `from` (answered by
    /// ``ConversationEvent/keysPageListed(_:from:)``).
    case listMoreKeys(from: Int)
    /// Reads one of the user's keys as it is now (answered by ``ConversationEvent/ActionOutcome/shown(_:)``, or
    /// ``ConversationEvent/ActionOutcome/failed(_:)`` when it is gone).
    case showKey(keyID: Int64)
    /// Replaces the message whose button was pressed (a key's card, a notice, a list's pager) with this reply;
    /// sent as a new message when there is none to edit.
    case editPressedMessage(Reply)
    case submit(KeySubmission, updating: Int64?)
    case setActive(keyID: Int64, active: Bool)
    case deleteKey(keyID: Int64)
    /// Remembers the user's choice of language; later replies use it.
    case setLanguage(String)
    /// Reads whom a link code names, without using it (answered by ``ConversationEvent/linkCodeLookedUp(codeHash:user:)``).
    case lookUpLinkCode(Data)
    /// Links the user's Telegram account with the code (answered by ``ConversationEvent/linkFinished(_:)``).
    case link(codeHash: Data)
    /// Removes the Telegram account's bot-made link (answered by ``ConversationEvent/unlinkFinished(_:)``).
    case unlink
}

/// A message to send: a localizable text and, optionally, inline buttons or a forced reply.
public struct Reply: Equatable, Sendable {
    public var text: Text
    public var buttons: [[Button]]
    public var forceReply: Bool
    /// Texts shown under ``text``, one per line: the parts of a message that depend on the data (a key card's
    /// status and reason), each a locale key of its own.
    public var lines: [Text]
    /// A forced reply's hint in the empty input field (what to paste: "API secret"), for phones where the
    /// question has scrolled away; set by ``ConversationMachine`` from the step it asks for.
    public var placeholder: Text?

    public init(_ text: Text, buttons: [[Button]] = [], forceReply: Bool = false, lines: [Text] = []) {
        self.text = text
        self.buttons = buttons
        self.forceReply = forceReply
        self.lines = lines
    }

    /// A locale key and the values for its placeholders (the runner escapes them for HTML).
    public struct Text: Equatable, Sendable {
        public var key: String
        public var arguments: [String: String]

        public init(_ key: String, _ arguments: [String: String] = [:]) {
            self.key = key
            self.arguments = arguments
        }
    }

    public struct Button: Equatable, Sendable {
        /// A locale key, or a literal caption when `literal` is set (exchange names).
        public var caption: Text
        public var literal: String?
        public var action: ButtonAction

        public static func literal(_ caption: String, _ action: ButtonAction) -> Button {
            Button(caption: Text(""), literal: caption, action: action)
        }

        public static func localized(_ key: String, _ action: ButtonAction) -> Button {
            Button(caption: Text(key), literal: nil, action: action)
        }
    }
}
