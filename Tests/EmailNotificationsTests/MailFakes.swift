import EmailNotifications
import ExchangeBotCore
import Foundation
import Localization
import SMTPClient
import Synchronization

/// An in-memory ``MailOutbox`` with the port's rules: a dedupe key queues once, due means not finished and
/// `retryAt` passed. Every change is also published on ``changes``, for tests that await the sender.
actor FakeMailOutbox: MailOutbox {
    struct Row {
        var mail: QueuedMail
        var dedupeKey: String?
        var retryAt: Date
        var sentAt: Date?
        var givenUpAt: Date?
        var lastError: String?
    }

    enum Change: Sendable, Equatable {
        case sent(Int64)
        case retry(Int64, Date)
        case givenUp(Int64)
    }

    private(set) var rows = [Row]()
    /// Recipients by user id: (email, username, language).
    var users = [Int64: (String?, String?, String?)]()
    var failReads = false
    /// Refuse a cancelled task's writes, as PostgreSQL's pool refuses it a connection.
    var refusesCancelledWrites = false
    nonisolated let changes: AsyncStream<Change>
    private let continuation: AsyncStream<Change>.Continuation

    init() {
        (changes, continuation) = AsyncStream.makeStream(of: Change.self)
    }

    func setUser(_ id: Int64, email: String?, username: String? = nil, language: String? = nil) {
        users[id] = (email, username, language)
    }

    func queueMail(_ notice: MailNotice, toUser userID: Int64, dedupeKey: String?, at date: Date) async throws {
        if let dedupeKey, rows.contains(where: { $0.dedupeKey == dedupeKey }) { return }
        let user = users[userID] ?? (nil, nil, nil)
        let mail = QueuedMail(
            id: Int64(rows.count + 1),
            notice: notice,
            userID: userID,
            email: user.0,
            username: user.1,
            languageCode: user.2,
            attempts: 0,
            queuedAt: date
        )
        rows.append(Row(mail: mail, dedupeKey: dedupeKey, retryAt: date))
    }

    func dueMail(limit: Int, at date: Date) async throws -> [QueuedMail] {
        if failReads { throw CocoaError(.fileReadUnknown) }
        return rows.filter { $0.sentAt == nil && $0.givenUpAt == nil && $0.retryAt <= date }.prefix(limit).map(\.mail)
    }

    func nextMailDue() async throws -> Date? {
        if failReads { throw CocoaError(.fileReadUnknown) }
        return rows.filter { $0.sentAt == nil && $0.givenUpAt == nil }.map(\.retryAt).min()
    }

    func markMailSent(id: Int64, at date: Date) async throws {
        if refusesCancelledWrites && Task.isCancelled { throw CancellationError() }
        rows[Int(id) - 1].sentAt = date
        continuation.yield(.sent(id))
    }

    func retryMail(id: Int64, at retryAt: Date, error: String) async throws {
        if refusesCancelledWrites && Task.isCancelled { throw CancellationError() }
        rows[Int(id) - 1].retryAt = retryAt
        rows[Int(id) - 1].mail.attempts += 1
        rows[Int(id) - 1].lastError = error
        continuation.yield(.retry(id, retryAt))
    }

    func giveUpMail(id: Int64, at date: Date, error: String) async throws {
        if refusesCancelledWrites && Task.isCancelled { throw CancellationError() }
        rows[Int(id) - 1].givenUpAt = date
        rows[Int(id) - 1].lastError = error
        continuation.yield(.givenUp(id))
    }

    func setAttempts(_ id: Int64, _ attempts: Int) {
        rows[Int(id) - 1].mail.attempts = attempts
    }

    func setFailReads(_ fail: Bool) {
        failReads = fail
    }

    func setRefusesCancelledWrites(_ refuses: Bool) {
        refusesCancelledWrites = refuses
    }
}

/// A transport that records what it was given and fails with the errors it is told to, in order.
final class FakeTransport: MailTransport {
    struct Sent: Sendable {
        let message: String
        let sender: String
        let recipients: [String]
    }

    private let state = Mutex<(sent: [Sent], attempts: [String], failures: [SMTPError])>(([], [], []))

    init(failures: [SMTPError] = []) {
        state.withLock { $0.failures = failures }
    }

    var sent: [Sent] { state.withLock { $0.sent } }
    /// Every message handed over, sent or failed (a failure may come after the server took the message).
    var attempts: [String] { state.withLock { $0.attempts } }

    func send(_ message: String, from sender: String, to recipients: [String]) async throws(SMTPError) {
        let failure = state.withLock { state -> SMTPError? in
            state.attempts.append(message)
            if !state.failures.isEmpty { return state.failures.removeFirst() }
            state.sent.append(Sent(message: message, sender: sender, recipients: recipients))
            return nil
        }
        if let failure { throw failure }
    }
}

/// A transport whose sends wait, each, until the test opens the gate: for what happens while a mail is on the wire.
/// The wait ignores cancellation, as a send on NIO's futures does.
final class GatedTransport: MailTransport {
    let inner = FakeTransport()
    /// Yields once per send that reached the gate.
    let arrivals: AsyncStream<Void>
    private let arrived: AsyncStream<Void>.Continuation
    private let gate = Mutex<(open: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    init() {
        (arrivals, arrived) = AsyncStream.makeStream(of: Void.self)
    }

    func open() {
        let waiting = gate.withLock { gate in
            gate.open = true
            defer { gate.waiting = [] }
            return gate.waiting
        }
        for continuation in waiting { continuation.resume() }
    }

    func send(_ message: String, from sender: String, to recipients: [String]) async throws(SMTPError) {
        arrived.yield()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = gate.withLock { gate in
                if gate.open { return true }
                gate.waiting.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
        try await inner.send(message, from: sender, to: recipients)
    }
}

/// A clock the test moves.
final class TestClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_796_600_000))
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 += seconds } }
}

enum MailFixtures {
    static let localizer: Localizer = {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        return try! Localizer.load(from: root.appendingPathComponent("locales"))
    }()

    static let key = ExchangeKey(
        id: 7,
        userID: 42,
        exchangeName: "binance",
        label: "main",
        apiKey: "ABCDEFGHIJKLMNOPQRSTUVWX",
        status: .approved,
        isActive: false
    )

    static func event(_ kind: KeyEvent.Kind, outboxID: Int64 = 100, label: String = "main") -> KeyEvent {
        var key = key
        key.label = label
        return KeyEvent(outboxID: outboxID, kind: kind, key: key, owner: User(id: 42, username: "alice"))
    }
}
