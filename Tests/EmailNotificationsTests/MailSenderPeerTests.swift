import EmailNotifications
import ExchangeBotCore
import Foundation
import Logging
import MailComposer
import SMTPClient
import TestSupport
import Testing

/// The sender through the real SMTP client to aiosmtpd: a notice in the recipient's language with hostile values,
/// a 4xx retried to success, a 5xx given up.
@Suite(.enabled(if: SMTPTestPeer.unavailableReason == nil, "\(SMTPTestPeer.unavailableReason ?? ""): not checked"))
struct MailSenderPeerTests {
    static let key = MailKey(
        id: 7,
        exchange: "Binance",
        label: "main\r\nBcc: evil@example.net",
        maskedAPIKey: "ABCD…UVWX"
    )

    static func sender(_ outbox: FakeMailOutbox, _ peer: SMTPTestPeer, clock: TestClock) throws -> MailSender {
        MailSender(
            outbox: outbox,
            transport: try SMTPClient(settings: SMTPSettings(host: "127.0.0.1", port: peer.port)),
            sender: try MailAddress(parsing: "Exchange Bot <bot@example.com>"),
            texts: MailTexts(localizer: MailFixtures.localizer),
            signal: WakeSignal(),
            now: { clock.now },
            logger: Logger(label: "mail-peer-test")
        )
    }

    @Test func anApprovalArrivesInRussianWithHostileValuesInert() async throws {
        let peer = try await SMTPTestPeer.start()
        let outbox = FakeMailOutbox()
        await outbox.setUser(42, email: "alice@example.org", username: "alice", language: "ru")
        let message = "Добро пожаловать!\r\nBcc: evil@example.net\r\n\r\n--boundary\r\n<script>alert(1)</script>"
        try await outbox.queueMail(
            .keyApproved(key: Self.key, message: message),
            toUser: 42,
            dedupeKey: "event:1:mail",
            at: .distantPast
        )
        #expect(await try Self.sender(outbox, peer, clock: TestClock()).sendDue() == 1)
        let received = try #require(try peer.received().first)
        #expect(received.recipients == ["alice@example.org"])
        #expect(received.subject == "Ваш ключ Binance «main  Bcc: evil@example.net» одобрен")
        #expect(!received.headerNames.contains("Bcc") && received.defects.isEmpty)
        let text = try #require(received.text)
        #expect(text.hasPrefix("Здравствуйте, alice!"))
        #expect(text.contains("Сообщение администратора: Добро пожаловать!\nBcc: evil@example.net\n\n--boundary"))
        let html = try #require(received.html)
        #expect(html.contains("&lt;script&gt;") && !html.contains("<script>"))
        #expect(await outbox.rows.first?.sentAt != nil)
    }

    @Test func a4xxIsRetriedLaterAndThenSent() async throws {
        let peer = try await SMTPTestPeer.start(
            {
                var options = SMTPTestPeer.Options()
                options.failData = 1
                return options
            }()
        )
        let outbox = FakeMailOutbox()
        await outbox.setUser(42, email: "alice@example.org")
        try await outbox.queueMail(.telegramUnlinked, toUser: 42, dedupeKey: nil, at: .distantPast)
        let clock = TestClock()
        let sender = try Self.sender(outbox, peer, clock: clock)
        await sender.sendDue()
        let deferred = await outbox.rows[0]
        #expect(deferred.mail.attempts == 1 && deferred.lastError?.contains("451") == true)
        #expect(try peer.received().isEmpty)
        clock.advance(60)
        await sender.sendDue()
        #expect(await outbox.rows[0].sentAt != nil)
        #expect(try peer.received().count == 1 && peer.deferrals() == 1)
    }

    @Test func a5xxIsGivenUp() async throws {
        let peer = try await SMTPTestPeer.start(
            {
                var options = SMTPTestPeer.Options()
                options.reject = ["alice@example.org"]
                return options
            }()
        )
        let outbox = FakeMailOutbox()
        await outbox.setUser(42, email: "alice@example.org")
        try await outbox.queueMail(.telegramUnlinked, toUser: 42, dedupeKey: nil, at: .distantPast)
        await try Self.sender(outbox, peer, clock: TestClock()).sendDue()
        let row = await outbox.rows[0]
        #expect(row.givenUpAt != nil && row.lastError?.contains("550") == true)
        #expect(row.lastError?.contains("alice@example.org") == false)
    }
}
