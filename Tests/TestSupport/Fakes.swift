import ExchangeBotCore
import Foundation

/// A clock tests set by hand.
public final class FixedClock: WallClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    public init(_ date: Date = Date(timeIntervalSince1970: 1_700_000_000)) {
        current = date
    }

    public func now() -> Date { lock.withLock { current } }

    public func advance(by seconds: TimeInterval) {
        lock.withLock { current = current.addingTimeInterval(seconds) }
    }
}

/// A validator that answers from a table keyed by API key, and counts its calls.
///
/// Keys not in the table are valid, trade-only, IP-restricted. It checks nothing by itself: exchange adapters
/// have their own fakes that verify signatures; this one stands in for "the exchange said so".
public actor FakeValidator: CredentialValidator {
    public private(set) var calls: [Credentials] = []
    private var answers: [String: Result<ValidationReport, CredentialError>] = [:]

    public init() {}

    public func answer(_ apiKey: String, with result: Result<ValidationReport, CredentialError>) {
        answers[apiKey] = result
    }

    public nonisolated func validate(_ credentials: Credentials) async throws(CredentialError) -> ValidationReport {
        let answer = await record(credentials)
        return try answer.get()
    }

    private func record(_ credentials: Credentials) -> Result<ValidationReport, CredentialError> {
        calls.append(credentials)
        return answers[credentials.apiKey]
            ?? .success(ValidationReport(canTrade: true, canWithdraw: false, ipRestricted: true, permissions: ["SPOT"]))
    }
}

/// A notifier that records what it delivers, and can be told to fail.
public actor RecordingNotifier: Notifier {
    public private(set) var delivered: [KeyEvent] = []
    public var failing = false

    public struct Unreachable: Error {}

    public init() {}

    public func setFailing(_ value: Bool) { failing = value }

    public func deliver(_ event: KeyEvent) async throws {
        if failing { throw Unreachable() }
        delivered.append(event)
    }
}
