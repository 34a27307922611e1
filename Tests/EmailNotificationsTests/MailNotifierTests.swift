import EmailNotifications
import ExchangeBotCore
import Foundation
import Testing

/// Key events become queued mails for the key's owner, once per event; composed notifiers deliver each channel
/// independently.
@Suite struct MailNotifierTests {
    @Test func ownerEventsAreQueuedOnceUnderTheEventsKey() async throws {
        let outbox = FakeMailOutbox()
        let signal = WakeSignal()
        let notifier = MailNotifier(outbox: outbox, signal: signal)
        let event = MailFixtures.event(.approved(message: "welcome"))
        try await notifier.deliver(event)
        try await notifier.deliver(event)
        let rows = await outbox.rows
        #expect(rows.count == 1)
        #expect(rows.first?.dedupeKey == "event:100:mail" && rows.first?.mail.userID == 42)
        let key = MailKey(id: 7, exchange: "Binance", label: "main", maskedAPIKey: MailFixtures.key.maskedAPIKey)
        #expect(rows.first?.mail.notice == .keyApproved(key: key, message: "welcome"))
        #expect(!MailFixtures.key.maskedAPIKey.contains("ABCDEFGHIJKLMNOPQRSTUVWX"))

        try await notifier.deliver(MailFixtures.event(.rejected(reason: "no trading right"), outboxID: 101))
        try await notifier.deliver(MailFixtures.event(.deactivated(reason: "revoked"), outboxID: 102))
        #expect(
            await outbox.rows.map(\.mail.notice) == [
                .keyApproved(key: key, message: "welcome"), .keyRejected(key: key, reason: "no trading right"),
                .keyDeactivated(key: key, reason: "revoked"),
            ]
        )
    }

    @Test func adminEventsQueueNothing() async throws {
        let outbox = FakeMailOutbox()
        let notifier = MailNotifier(outbox: outbox)
        for kind: KeyEvent.Kind in [.submitted(nil), .withdrawn, .relabeled(nil), .serviceAlert(code: "x", count: 1)] {
            try await notifier.deliver(MailFixtures.event(kind))
        }
        #expect(await outbox.rows.isEmpty)
    }

    /// Telegram fails, mail succeeds: the event fails (stays in the outbox), and delivering it again queues no
    /// second mail.
    @Test func composedChannelsAreIndependent() async throws {
        let outbox = FakeMailOutbox()
        let failing = FailingNotifier()
        let notifiers = Notifiers([failing, MailNotifier(outbox: outbox)])
        let event = MailFixtures.event(.approved(message: nil))
        await #expect(throws: FailingNotifier.Down.self) { try await notifiers.deliver(event) }
        await #expect(throws: FailingNotifier.Down.self) { try await notifiers.deliver(event) }
        #expect(await outbox.rows.count == 1)
        #expect(failing.calls == 2)

        let both = Notifiers([FailingNotifier(), FailingNotifier()])
        await #expect(throws: Notifiers.Failures.self) { try await both.deliver(event) }
        try await Notifiers([MailNotifier(outbox: outbox)]).deliver(event)
    }
}

final class FailingNotifier: Notifier, @unchecked Sendable {
    struct Down: Error {}
    private let lock = NSLock()
    private var count = 0
    var calls: Int { lock.withLock { count } }

    func deliver(_ event: KeyEvent) async throws {
        lock.withLock { count += 1 }
        throw Down()
    }
}
