import Foundation

/// The email channel's queue: notices to send, each delivered at least once, independently of Telegram.
///
/// Queuing with a `dedupeKey` already used queues nothing (an outbox event delivered again after a crash does not
/// mail twice). A mail whose send failed for a reason that may pass (SMTP 4xx, a timeout, the server down) waits
/// until `retryAt`; one refused for good (5xx, no address) is given up and kept for inspection.
public protocol MailOutbox: Sendable {
    func queueMail(_ notice: MailNotice, toUser userID: Int64, dedupeKey: String?, at date: Date) async throws

    /// Mails due at `date` (not sent, not given up, `retryAt` passed), oldest first.
    func dueMail(limit: Int, at date: Date) async throws -> [QueuedMail]

    /// The earliest `retryAt` of the mails still to send (not sent, not given up), whether passed or not; `nil` when
    /// there are none. The sender sets its timer by it, so a retry (also one scheduled before a restart or by another
    /// instance) goes when it comes due.
    func nextMailDue() async throws -> Date?

    func markMailSent(id: Int64, at date: Date) async throws

    /// Counts an attempt and schedules the next; `error` is for inspection (never a secret).
    func retryMail(id: Int64, at retryAt: Date, error: String) async throws

    func giveUpMail(id: Int64, at date: Date, error: String) async throws
}
