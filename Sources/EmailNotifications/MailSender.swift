import ExchangeBotCore
import Foundation
import Logging
import MailComposer
import SMTPClient
import ServiceLifecycle

/// Sends the mail outbox: each due mail is rendered in its recipient's language, composed, handed to the mail
/// server and marked sent.
///
/// A failure that may pass is retried with ``MailRetryPolicy``'s backoff; a refusal for good (5xx, a certificate
/// that does not verify, an address that cannot be mailed) is given up with a warning. A recipient without an
/// email address is given up quietly: most owners of keys added in Telegram have none. Logs name a recipient only
/// masked (`a…@example.com`) and never hold a password. The sender wakes when mail is queued (``WakeSignal``, also
/// rung for what another instance queued), when the earliest mail still to send comes due (a timer set from the
/// outbox after every round, so retries scheduled before a restart or by another instance go on time too), and
/// every ``pollInterval`` as a safety net.
public actor MailSender: Service {
    private let outbox: any MailOutbox
    private let transport: any MailTransport
    private let sender: MailAddress
    private let texts: MailTexts
    private let signal: WakeSignal
    private let retry: MailRetryPolicy
    private let pollInterval: Duration
    private let now: @Sendable () -> Date
    private let logger: Logger
    /// Outcomes the outbox could not record (the database down), by mail id: recorded before that mail is looked
    /// at again, so a mail the server accepted is not sent a second time because its row still says "due".
    private var unrecorded = [Int64: Outcome]()

    static let batchSize = 50
    /// How long the sender waits to look again after the outbox failed to answer or to record an outcome.
    static let storeRetryDelay: Duration = .seconds(1)

    public init(
        outbox: any MailOutbox,
        transport: any MailTransport,
        sender: MailAddress,
        texts: MailTexts,
        signal: WakeSignal,
        retry: MailRetryPolicy = MailRetryPolicy(),
        pollInterval: Duration = .seconds(30),
        now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger
    ) {
        self.outbox = outbox
        self.transport = transport
        self.sender = sender
        self.texts = texts
        self.signal = signal
        self.retry = retry
        self.pollInterval = pollInterval
        self.now = now
        self.logger = logger
    }

    public func run() async throws {
        let ticker = Task { [signal, pollInterval] in
            while !signal.isStopped, (try? await Task.sleep(for: pollInterval)) != nil { signal.wake() }
        }
        await withGracefulShutdownHandler {
            var wakes = signal.wakes.makeAsyncIterator()
            repeat {
                // A full batch may have more behind it.
                while await sendDue() == Self.batchSize, !signal.isStopped, !Task.isCancelled {}
                await setTimerForNextDue()
            } while await wakes.next() != nil && !Task.isCancelled
        } onGracefulShutdown: { [signal] in
            signal.stop()
        }
        ticker.cancel()
    }

    /// Sends (or retries, or gives up) every mail due now, up to a batch; returns how many it attempted. Mails whose
    /// last outcome is still to be recorded (the database refused the write) are not attempted and not counted, so a
    /// full batch of them does not make ``run()`` spin.
    @discardableResult
    public func sendDue() async -> Int {
        await recordOutcomesAgain()
        let due: [QueuedMail]
        do {
            due = try await outbox.dueMail(limit: Self.batchSize, at: now())
        } catch {
            logger.error("could not read the mail outbox", metadata: ["error": "\(error)"])
            return 0
        }
        var attempted = 0
        for mail in due where unrecorded[mail.id] == nil {
            // Stopped, or cancelled (this instance lost the leader lease): no further mail goes out from here; the
            // next leader sends what is left, once.
            if signal.isStopped || Task.isCancelled { break }
            // A mail handed to the server is left to finish and its outcome recorded in a task the cancellation
            // does not reach: the store refuses a cancelled task's write (PostgreSQL's pool does), and an outcome
            // left unrecorded would have the next leader send the mail again.
            await Task { await self.record(await self.attempt(mail), for: mail.id) }.value
            attempted += 1
        }
        return attempted
    }

    /// Sets the signal's timer for when the earliest mail still to send is due. One due already was left by this
    /// round (its outcome still to record, the rest of a batch with unreadable rows, a clock step), or the outbox
    /// did not answer: look again after ``storeRetryDelay``, so a refusing database is not asked in a tight loop.
    private func setTimerForNextDue() async {
        if signal.isStopped || Task.isCancelled { return }
        let wait: Duration
        do {
            guard let due = try await outbox.nextMailDue() else { return }
            let seconds = due.timeIntervalSince(now())
            wait = seconds > 0 ? .seconds(seconds) : Self.storeRetryDelay
        } catch {
            logger.error("could not read the mail outbox", metadata: ["error": "\(error)"])
            wait = Self.storeRetryDelay
        }
        signal.wake(at: .now + wait)
    }

    enum Outcome: Sendable {
        case sent
        case retry(at: Date, error: String)
        case givenUp(error: String)
    }

    private func attempt(_ mail: QueuedMail) async -> Outcome {
        guard let email = mail.email else {
            logger.debug("a mail's recipient has no email address; dropped", metadata: ["mail": "\(mail.id)"])
            return .givenUp(error: "the user has no email address")
        }
        let masked = MailAddress.masked(email)
        let recipient: MailAddress
        do {
            recipient = try MailAddress(address: email)
        } catch {
            logger.warning(
                "a mail's recipient address cannot be mailed; given up",
                metadata: ["mail": "\(mail.id)", "to": "\(masked)", "problem": "\(error.problem)"]
            )
            return .givenUp(error: error.description)
        }
        let rendered = texts.render(mail.notice, username: mail.username, languageCode: mail.languageCode)
        let message = MailMessage(
            from: sender,
            to: recipient,
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            date: now(),
            messageID: MailMessageID.of(mail, at: sender.domain)
        )
        do throws(SMTPError) {
            try await transport.send(message.rendered(), from: sender.address, to: [recipient.address])
            logger.info("mail sent", metadata: ["mail": "\(mail.id)", "to": "\(masked)"])
            return .sent
        } catch {
            // The server's text often repeats the address it refuses.
            let reason = error.description.replacing(email, with: masked)
            let attempt = mail.attempts + 1
            if error.isTransient, let delay = retry.delay(afterAttempt: attempt) {
                logger.notice(
                    "a mail could not be sent; will retry",
                    metadata: ["mail": "\(mail.id)", "to": "\(masked)", "attempt": "\(attempt)", "error": "\(reason)"]
                )
                return .retry(at: now().addingTimeInterval(delay), error: reason)
            }
            logger.warning(
                error.isTransient
                    ? "a mail could not be sent after every retry; given up" : "a mail was refused; given up",
                metadata: ["mail": "\(mail.id)", "to": "\(masked)", "attempt": "\(attempt)", "error": "\(reason)"]
            )
            return .givenUp(error: reason)
        }
    }

    private func record(_ outcome: Outcome, for id: Int64) async {
        do {
            switch outcome {
            case .sent: try await outbox.markMailSent(id: id, at: now())
            case .retry(let at, let error): try await outbox.retryMail(id: id, at: at, error: error)
            case .givenUp(let error): try await outbox.giveUpMail(id: id, at: now(), error: error)
            }
            unrecorded[id] = nil
        } catch {
            logger.error(
                "could not record a mail's outcome; it waits until it is recorded",
                metadata: ["mail": "\(id)", "error": "\(error)"]
            )
            unrecorded[id] = outcome
        }
    }

    private func recordOutcomesAgain() async {
        for (id, outcome) in unrecorded {
            await record(outcome, for: id)
        }
    }
}
