import Foundation

/// Something a user is told by email. Stored as JSON in the mail outbox and rendered when sent, in the user's
/// language, so the row holds facts (never a secret, never a whole API key), not text.
public enum MailNotice: Sendable, Equatable, Codable {
    case keyApproved(key: MailKey, message: String?)
    case keyRejected(key: MailKey, reason: String)
    case keyDeactivated(key: MailKey, reason: String)
    case telegramLinked(telegramUsername: String?)
    case telegramUnlinked
}

/// The facts about a key that a mail names: its id, exchange, label and masked API key.
public struct MailKey: Sendable, Equatable, Codable {
    public var id: Int64
    public var exchange: String
    public var label: String
    public var maskedAPIKey: String

    public init(id: Int64, exchange: String, label: String, maskedAPIKey: String) {
        self.id = id
        self.exchange = exchange
        self.label = label
        self.maskedAPIKey = maskedAPIKey
    }
}

/// A queued mail, read for sending with what sending needs: the recipient's address and language now.
public struct QueuedMail: Sendable, Equatable {
    public var id: Int64
    public var notice: MailNotice
    public var userID: Int64
    /// `nil` when the user has no email (any more): the mail is dropped.
    public var email: String?
    public var username: String?
    /// The user's chosen or Telegram language, if known.
    public var languageCode: String?
    /// Attempts made so far.
    public var attempts: Int
    /// When the mail was queued, as stored; `nil` if the stored value is not a date. With ``id`` it names this
    /// mail wherever and whenever it is read (the `Message-ID` of every attempt is made from the two).
    public var queuedAt: Date?

    public init(
        id: Int64,
        notice: MailNotice,
        userID: Int64,
        email: String?,
        username: String?,
        languageCode: String?,
        attempts: Int,
        queuedAt: Date?
    ) {
        self.id = id
        self.notice = notice
        self.userID = userID
        self.email = email
        self.username = username
        self.languageCode = languageCode
        self.attempts = attempts
        self.queuedAt = queuedAt
    }
}
