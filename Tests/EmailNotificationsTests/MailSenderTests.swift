import ExchangeBotCore
import Foundation
import Logging
import MailComposer
import SMTPClient
import ServiceLifecycle
import Testing

@testable import EmailNotifications

/// The sender with a fake outbox and a fake transport: rendering, retries with backoff, giving up, and waking.
@Suite struct MailSenderTests {
    static let key = MailKey(id: 7, exchange: "Binance", label: "main", maskedAPIKey: "ABCD…UVWX")

    static func sender(
        _ outbox: FakeMailOutbox,
        _ transport: any MailTransport,
        clock: TestClock = TestClock(),
        signal: WakeSignal = WakeSignal(),
        retry: MailRetryPolicy = MailRetryPolicy()
    ) -> MailSender {
        MailSender(
            outbox: outbox,
            transport: transport,
            sender: try! MailAddress(parsing: "Exchange Bot <bot@example.com>"),
            texts: MailTexts(localizer: MailFixtures.localizer),
            signal: signal,
            retry: retry,
            pollInterval: .seconds(3600),
            now: { clock.now },
            logger: Logger(label: "mail-test")
        )
    }

    @Test func sendsInTheRecipientsLanguageAndMarksSent() async throws {
        let outbox = FakeMailOutbox()
        await outbox.setUser(42, email: "alice@example.org", username: "alice", language: "ru")
        try await outbox.queueMail(
            .keyRejected(key: Self.key, reason: "нет права торговли"),
            toUser: 42,
            dedupeKey: nil,
            at: .distantPast
        )
        let transport = FakeTransport()
        #expect(await Self.sender(outbox, transport).sendDue() == 1)
        let sent = try #require(transport.sent.first)
        #expect(sent.sender == "bot@example.com" && sent.recipients == ["alice@example.org"])
        let rendered = MailTexts(localizer: MailFixtures.localizer)
            .render(.keyRejected(key: Self.key, reason: "нет права торговли"), username: "alice", languageCode: "ru")
        #expect(rendered.subject == "Ваш ключ Binance «main» отклонён")
        #expect(
            rendered.text.hasPrefix("Здравствуйте, alice!\n\n") && rendered.text.contains("Причина: нет права торговли")
        )
        #expect(rendered.html.contains("<b>отклонён</b>") && rendered.html.contains("lang=\"ru\""))
        #expect(sent.message.contains("To: alice@example.org\r\n"))
        #expect(await outbox.rows.first?.sentAt != nil)
        #expect(await Self.sender(outbox, transport).sendDue() == 0)
    }

    /// Values in the HTML part are escaped; the text part has them as typed.
    @Test func htmlEscapesValuesAndTextKeepsThem() {
        let key = MailKey(id: 1, exchange: "OKX", label: "<b>&", maskedAPIKey: "k")
        let rendered = MailTexts(localizer: MailFixtures.localizer)
            .render(.keyApproved(key: key, message: "<script>x</script>"), username: nil, languageCode: "pt-BR")
        #expect(rendered.html.contains("&lt;b&gt;&amp;") && rendered.html.contains("&lt;script&gt;"))
        #expect(!rendered.html.contains("<script>"))
        #expect(rendered.text.contains("\"<b>&\"") && rendered.text.contains("<script>x</script>"))
        #expect(rendered.text.hasPrefix("Hello,\n\n"))
    }

    @Test func transientFailuresBackOffThenGiveUp() async throws {
        let outbox = FakeMailOutbox()
        await outbox.setUser(42, email: "alice@example.org")
        try await outbox.queueMail(.telegramUnlinked, toUser: 42, dedupeKey: nil, at: .distantPast)
        let clock = TestClock()
        let down = SMTPError(.transient, "connection failed: refused")
        let transport = FakeTransport(failures: Array(repeating: down, count: 3))
        let sender = Self.sender(outbox, transport, clock: clock, retry: MailRetryPolicy(maximumAttempts: 3))
        let start = clock.now
        await sender.sendDue()
        #expect(await outbox.rows[0].retryAt == start.addingTimeInterval(60))
        #expect(await sender.sendDue() == 0)
        clock.advance(60)
        await sender.sendDue()
        #expect(await outbox.rows[0].retryAt == start.addingTimeInterval(60 + 120))
        clock.advance(120)
        await sender.sendDue()
        #expect(await outbox.rows[0].givenUpAt != nil)
        #expect(transport.sent.isEmpty)
    }

    /// A reply lost after DATA: the server may have taken the mail, so the retry may deliver a copy. The copy carries
    /// the first attempt's `Message-ID`, by which mailboxes drop it, also when the retry comes from another process
    /// (a restart, another instance); another mail gets an id of its own.
    @Test func aRetryKeepsItsMessageIDAcrossRestarts() async throws {
        let outbox = FakeMailOutbox()
        await outbox.setUser(42, email: "alice@example.org")
        try await outbox.queueMail(.telegramUnlinked, toUser: 42, dedupeKey: nil, at: .distantPast)
        let clock = TestClock()
        let lost = SMTPError(.transient, "no reply to the end of DATA within 600 s")
        let transport = FakeTransport(failures: [lost, lost])
        await Self.sender(outbox, transport, clock: clock).sendDue()
        clock.advance(60)
        await Self.sender(outbox, transport, clock: clock).sendDue()
        clock.advance(120)
        let restarted = Self.sender(outbox, transport, clock: clock)
        await restarted.sendDue()
        #expect(await outbox.rows[0].sentAt != nil)
        try await outbox.queueMail(
            .telegramLinked(telegramUsername: "alice_tg"),
            toUser: 42,
            dedupeKey: nil,
            at: clock.now
        )
        await restarted.sendDue()
        let ids = transport.attempts.map { message in
            message.split(separator: "\r\n").first { $0.hasPrefix("Message-ID: <") }.map(String.init)
        }
        #expect(ids.count == 4 && ids.allSatisfy { $0?.hasSuffix("@example.com>") == true })
        #expect(ids[0] == ids[1] && ids[1] == ids[2], "every attempt at the same mail, from any sender")
        #expect(ids[3] != ids[0], "another mail")
    }

    /// The id names the outbox row: its id and when it was queued (which tells apart two databases mailing from one
    /// domain), hashed; it is a valid `msg-id` (RFC 5322 §3.6.4) and shows neither.
    @Test func theMessageIDNamesTheRowWithoutShowingIt() throws {
        func mail(_ id: Int64, queuedAt: Date?) -> QueuedMail {
            QueuedMail(
                id: id,
                notice: .telegramUnlinked,
                userID: 1,
                email: nil,
                username: nil,
                languageCode: nil,
                attempts: 0,
                queuedAt: queuedAt
            )
        }
        let queued = Date(timeIntervalSince1970: 1_780_000_000.25)
        let id = MailMessageID.of(mail(7, queuedAt: queued), at: "example.com")
        let local = try #require(id.split(separator: "@").first)
        #expect(local.count == 32 && local.allSatisfy(\.isHexDigit) && id.hasSuffix("@example.com"))
        #expect(!id.contains("1780000000"), "the queue time is not spelled out")
        #expect(MailMessageID.of(mail(7, queuedAt: queued), at: "example.com") == id)
        #expect(MailMessageID.of(mail(8, queuedAt: queued), at: "example.com") != id)
        #expect(MailMessageID.of(mail(7, queuedAt: queued.addingTimeInterval(0.000_001)), at: "example.com") != id)
        #expect(MailMessageID.of(mail(7, queuedAt: nil), at: "example.com") != id)
        #expect(MailMessageID.of(mail(7, queuedAt: nil), at: "example.com").hasSuffix("@example.com"))
    }

    /// The leader lease lost (the sender's task cancelled) while a mail is on the wire: that mail finishes and its
    /// outcome is recorded although the store refuses a cancelled task's writes, and no further mail of the batch
    /// goes out. The next leader sends the rest, and does not send the first again.
    @Test func aCancelledSenderRecordsTheMailOnTheWireAndStartsNoOther() async throws {
        let outbox = FakeMailOutbox()
        await outbox.setUser(42, email: "alice@example.org")
        await outbox.setRefusesCancelledWrites(true)
        for _ in 0..<3 {
            try await outbox.queueMail(.telegramUnlinked, toUser: 42, dedupeKey: nil, at: .distantPast)
        }
        let transport = GatedTransport()
        let sender = Self.sender(outbox, transport)
        let batch = Task { await sender.sendDue() }
        var arrivals = transport.arrivals.makeAsyncIterator()
        _ = await arrivals.next()
        batch.cancel()
        transport.open()
        #expect(await batch.value == 1)
        #expect(transport.inner.attempts.count == 1)
        let rows = await outbox.rows
        #expect(rows[0].sentAt != nil, "the mail on the wire is recorded as sent")
        #expect(rows.dropFirst().allSatisfy { $0.sentAt == nil && $0.mail.attempts == 0 })

        let next = Self.sender(outbox, transport)
        #expect(await next.sendDue() == 2)
        #expect(transport.inner.attempts.count == 3, "every mail went out once")
    }

    @Test func backoffDoublesToAnHourAndStopsAfterADay() {
        let policy = MailRetryPolicy()
        #expect((1...8).map { policy.delay(afterAttempt: $0) } == [60, 120, 240, 480, 960, 1920, 3600, 3600])
        #expect(policy.delay(afterAttempt: 30) == nil)
        let total = (1..<30).compactMap { policy.delay(afterAttempt: $0) }.reduce(0, +)
        #expect(total > 23 * 3600 && total < 25 * 3600)
    }

    /// A refusal for good is given up at once; what is stored and logged has the address masked.
    @Test func permanentRefusalsAreGivenUpWithTheAddressMasked() async throws {
        let outbox = FakeMailOutbox()
        await outbox.setUser(42, email: "alice@example.org")
        try await outbox.queueMail(.telegramUnlinked, toUser: 42, dedupeKey: nil, at: .distantPast)
        let refusal = SMTPError(
            .permanent,
            "the server answered RCPT TO with 550 <alice@example.org>: unknown",
            code: 550
        )
        await Self.sender(outbox, FakeTransport(failures: [refusal])).sendDue()
        let row = await outbox.rows[0]
        #expect(row.givenUpAt != nil)
        #expect(row.lastError?.contains("a…@example.org") == true && row.lastError?.contains("alice@") == false)
    }

    @Test func noAddressOrAnUnusableOneIsGivenUp() async throws {
        let outbox = FakeMailOutbox()
        await outbox.setUser(1, email: nil)
        await outbox.setUser(2, email: "alice@example.org\r\nBcc: evil@example.net")
        try await outbox.queueMail(.telegramUnlinked, toUser: 1, dedupeKey: nil, at: .distantPast)
        try await outbox.queueMail(.telegramUnlinked, toUser: 2, dedupeKey: nil, at: .distantPast)
        let transport = FakeTransport()
        await Self.sender(outbox, transport).sendDue()
        #expect(await outbox.rows.allSatisfy { $0.givenUpAt != nil })
        #expect(transport.sent.isEmpty)
    }

    @Test func anOutboxThatCannotBeReadSendsNothing() async throws {
        let outbox = FakeMailOutbox()
        await outbox.setFailReads(true)
        #expect(await Self.sender(outbox, FakeTransport()).sendDue() == 0)
    }

    /// A mail due later (a retry scheduled before a restart, or by another instance) goes when it comes due: the
    /// sender sets its timer from the outbox. Its safety poll is an hour here, so nothing else could send it within
    /// the test's wait (which is generous: only whether it goes is asserted, not how fast).
    @Test func aMailDueLaterGoesWhenItComesDue() async throws {
        let outbox = FakeMailOutbox()
        await outbox.setUser(42, email: "alice@example.org")
        let started = ContinuousClock.now
        try await outbox.queueMail(.telegramUnlinked, toUser: 42, dedupeKey: nil, at: Date().addingTimeInterval(0.5))
        let sender = MailSender(
            outbox: outbox,
            transport: FakeTransport(),
            sender: try MailAddress(parsing: "Exchange Bot <bot@example.com>"),
            texts: MailTexts(localizer: MailFixtures.localizer),
            signal: WakeSignal(),
            pollInterval: .seconds(3600),
            logger: Logger(label: "mail-test")
        )
        let group = ServiceGroup(configuration: .init(services: [sender], logger: Logger(label: "mail-test")))
        let running = Task { try await group.run() }
        let first = await withTaskGroup(of: FakeMailOutbox.Change?.self) { race in
            race.addTask {
                var changes = outbox.changes.makeAsyncIterator()
                return await changes.next()
            }
            race.addTask {
                try? await Task.sleep(for: .seconds(60))
                return nil
            }
            let first = await race.next() ?? nil
            race.cancelAll()
            return first
        }
        #expect(first == .sent(1))
        #expect(ContinuousClock.now - started >= .milliseconds(450), "not before it was due")
        await group.triggerGracefulShutdown()
        try await running.value
    }

    /// The running service sends a mail queued through the notifier at once (the poll is an hour here), and
    /// stops on a graceful shutdown.
    @Test func theServiceWakesWhenMailIsQueued() async throws {
        let outbox = FakeMailOutbox()
        await outbox.setUser(42, email: "alice@example.org")
        let signal = WakeSignal()
        let transport = FakeTransport()
        let sender = Self.sender(outbox, transport, clock: TestClock(), signal: signal)
        let logger = Logger(label: "mail-test")
        let group = ServiceGroup(configuration: .init(services: [sender], logger: logger))
        let running = Task { try await group.run() }
        var changes = outbox.changes.makeAsyncIterator()
        try await MailNotifier(outbox: outbox, signal: signal, now: { .distantPast })
            .deliver(MailFixtures.event(.approved(message: nil)))
        #expect(await changes.next() == .sent(1))
        #expect(transport.sent.count == 1)
        await group.triggerGracefulShutdown()
        try await running.value
    }
}
