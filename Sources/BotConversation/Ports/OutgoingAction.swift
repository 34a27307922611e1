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

    /// The queue an action waits in: actions of one lane go out one at a time, in order. A chat's messages share
    /// its lane; the admin group's messages and the edits of its requests share one lane whatever the group's id,
    /// so a request is always posted before it is closed.
    public var lane: Int64 {
        switch self {
        case .send(let message):
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
            case .plain: nil
            case .adminRequest(let id), .reasonPrompt(let id, _): id
            }
        case .closeRequests(let id, _): id
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
    public var purpose: Purpose

    public init(
        to destination: Destination,
        text: String,
        buttons: [[OutgoingButton]] = [],
        forceReply: Bool = false,
        purpose: Purpose = .plain
    ) {
        self.destination = destination
        self.text = text
        self.buttons = buttons
        self.forceReply = forceReply
        self.purpose = purpose
    }

    /// Why the message's id matters later.
    public enum Purpose: Codable, Sendable, Equatable {
        case plain
        /// A key's approval request in the admin group: edited when the key is decided.
        case adminRequest(keyID: Int64)
        /// "Reply with the reason": the reply to it rejects the key, if it is still the version asked about.
        case reasonPrompt(keyID: Int64, revision: String?)
    }
}

public struct OutgoingButton: Codable, Sendable, Equatable {
    public var text: String
    /// `callback_data`, 1–64 bytes.
    public var data: String

    public init(text: String, data: String) {
        self.text = text
        self.data = data
    }
}
