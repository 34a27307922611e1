import ExchangeBotCore
import Foundation

/// The core's ``Notifier`` on email: an approval (with the admin's message), a rejection (with the reason) or a
/// deactivation by a health check becomes a ``MailNotice`` queued for the key's owner; the ``MailSender`` looks up
/// the owner's address and language when it sends.
///
/// Queuing is idempotent per event (the dedupe key names the event's outbox id), so an event delivered again, after
/// a crash or because another channel failed, queues no second mail.
public struct MailNotifier: Notifier {
    private let outbox: any MailOutbox
    private let signal: WakeSignal?
    private let now: @Sendable () -> Date

    public init(outbox: any MailOutbox, signal: WakeSignal? = nil, now: @escaping @Sendable () -> Date = { Date() }) {
        self.outbox = outbox
        self.signal = signal
        self.now = now
    }

    public func deliver(_ event: KeyEvent) async throws {
        guard let notice = Self.notice(for: event) else { return }
        try await outbox.queueMail(notice, toUser: event.key.userID, dedupeKey: Self.dedupeKey(event), at: now())
        signal?.wake()
    }

    public static func dedupeKey(_ event: KeyEvent) -> String { "event:\(event.outboxID):mail" }

    /// The owner's notice for an event, `nil` for events that are the admins' business.
    public static func notice(for event: KeyEvent) -> MailNotice? {
        let key = MailKey(
            id: event.key.id,
            exchange: event.key.exchange?.displayName ?? event.key.exchangeName,
            label: event.key.label,
            maskedAPIKey: event.key.maskedAPIKey
        )
        switch event.kind {
        case .approved(let message): return .keyApproved(key: key, message: message)
        case .rejected(let reason): return .keyRejected(key: key, reason: reason)
        case .deactivated(let reason): return .keyDeactivated(key: key, reason: reason)
        case .submitted, .withdrawn, .relabeled, .serviceAlert: return nil
        }
    }
}
