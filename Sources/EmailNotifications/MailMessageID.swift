import Crypto
import ExchangeBotCore
import Foundation

/// The `Message-ID` of a queued mail: the same for every attempt to send it, whichever process or instance makes
/// the attempt and however many restarts lie between, and different for every other mail.
///
/// An attempt whose answer is lost after DATA may have been delivered, so the retry can deliver a copy; mail
/// systems that drop a repeated `Message-ID` drop that copy only if both carry the same id. The id is made from the
/// mail's outbox row (its id, which the database never reuses, and when it was queued, which tells apart the rows
/// of two databases mailing from one domain), hashed so that the header does not spell out the row number. The hash
/// has no key: someone who knows the scheme and guesses the queue time to the microsecond could find the row number
/// by trying every candidate, which tells them roughly how many mails were queued before and nothing else.
enum MailMessageID {
    /// `<32 hex digits>@<domain>`, without angle brackets.
    static func of(_ mail: QueuedMail, at domain: some StringProtocol) -> String {
        var name = "exchange-bot mail \(mail.id)"
        if let queuedAt = mail.queuedAt {
            // Microseconds: the precision both outboxes store; a stored value reads back the same every time.
            name += " queued \(Int64((queuedAt.timeIntervalSince1970 * 1_000_000).rounded()))"
        }
        let digest = SHA256.hash(data: Data(name.utf8))
        return digest.prefix(16).map { String(format: "%02x", $0) }.joined() + "@" + domain
    }
}
