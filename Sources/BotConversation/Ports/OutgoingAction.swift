/// Where a queued message goes. The admin group is named, not numbered, because its id changes when Telegram
/// upgrades it to a supergroup; the sender resolves it when it sends.
public enum Destination: Codable, Sendable, Hashable {
    case chat(Int64)
    case adminChat
}

/// A Telegram call the bot makes after the change that caused it is committed: queued in the same transaction, so
/// a crash neither loses it nor (once sent and marked) repeats it.
public enum OutgoingAction: Codable, Sendable, Equatable {
    case send(OutgoingMessage)
    /// Edits every request message posted for a key: its text plus `note` (who decided), buttons removed.
    case closeRequests(keyID: Int64, note: String)
    /// Replaces the text and inline buttons of a message the bot sent to `message.destination` (a key card after
    /// its button was pressed, a page of a list); no buttons removes them. A message Telegram no longer lets the
    /// bot edit gets `message` sent as a new one instead.
    case editMessage(messageID: Int64, OutgoingMessage)
    /// Replaces the chat's remembered "Checking…" message (purpose ``OutgoingMessage/Purpose/checking``) with
    /// `message`, a check's verdict, and forgets it. Its id is known only once the queue has sent it, so the edit
    /// names the purpose rather than an id; with none remembered (its send was abandoned) or none editable, `message`
    /// is sent as a new one. Repeating it after a crash edits the same text again: the verdict shows once.
    case replaceChecking(OutgoingMessage)

    /// The queue an action waits in: actions of one lane go out one at a time, in order. A chat's messages share
    /// its lane; the admin group's messages and the edits of its requests share one lane whatever the group's id,
    /// so a request is always posted before it is closed.
    public var lane: Int64 {
        switch self {
        case .send(let message), .editMessage(_, let message), .replaceChecking(let message):
            switch message.destination {
            case .chat(let id): id
            case .adminChat: Self.adminChatLane
            }
        case .closeRequests: Self.adminChatLane
        }
    }

    /// The key whose admin-group messages this is: a request or a reason prompt, or closing them.
    public var keyID: Int64? {
        switch self {
        case .send(let message):
            switch message.purpose {
            case .plain, .checking: nil
            case .adminRequest(let id), .reasonPrompt(let id, _, _): id
            }
        case .closeRequests(let id, _): id
        case .editMessage, .replaceChecking: nil
        }
    }

    /// No chat has id 0.
    public static let adminChatLane: Int64 = 0
}

/// A rendered message: HTML text, inline buttons or a forced reply, and what to remember once Telegram gives it an
/// id.
public struct OutgoingMessage: Codable, Sendable, Equatable {
    public var destination: Destination
    /// HTML, every dynamic part escaped, at most 4096 characters.
    public var text: String
    public var buttons: [[OutgoingButton]]
    public var forceReply: Bool
    /// A forced reply's hint in the empty input field (1–64 characters).
    public var replyPlaceholder: String?
    /// A forced reply that opens the reply box only for the users the text mentions (Telegram's `selective`): in a
    /// group, the one admin asked.
    public var replySelective: Bool?
    public var purpose: Purpose

    public init(
        to destination: Destination,
        text: String,
        buttons: [[OutgoingButton]] = [],
        forceReply: Bool = false,
        replyPlaceholder: String? = nil,
        replySelective: Bool? = nil,
        purpose: Purpose = .plain
    ) {
        self.destination = destination
        self.text = text
        self.buttons = buttons
        self.forceReply = forceReply
        self.replyPlaceholder = replyPlaceholder
        self.replySelective = replySelective
        self.purpose = purpose
    }

    /// Why the message's id matters later.
    public enum Purpose: Codable, Sendable, Equatable {
        case plain
        /// A key's approval request in the admin group: edited when the key is decided.
        case adminRequest(keyID: Int64)
        /// "Reply with the reason": the reply to it rejects the key, if it is still the version asked about and it
        /// comes from `admin`, the admin who pressed Reject (`nil` in prompts queued by older builds: anyone).
        case reasonPrompt(keyID: Int64, revision: String?, admin: Int64? = nil)
        /// A private chat's "Checking the key…": the check's verdict replaces it (``OutgoingAction/replaceChecking(_:)``).
        case checking
    }
}

public struct OutgoingButton: Codable, Sendable, Equatable {
    public var text: String
    /// `callback_data`, 1–64 bytes; unused by a link.
    public var data: String
    /// A link button's address (a `t.me` deep link): opened, not sent back to the bot.
    public var url: String?

    public init(text: String, data: String) {
        self.text = text
        self.data = data
    }

    /// A button that opens `url`.
    public static func link(_ text: String, url: String) -> OutgoingButton {
        var button = OutgoingButton(text: text, data: "")
        button.url = url
        return button
    }
}
