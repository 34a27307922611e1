/// Delivers key events to people (the admin group, the key's owner).
///
/// Throwing means "not delivered, try again later": the event stays in the outbox.
public protocol Notifier: Sendable {
    func deliver(_ event: KeyEvent) async throws
}

/// A notifier for when no channel is configured: events stay in the outbox until one is.
public struct NoNotifier: Notifier {
    public struct NotConfigured: Error {}

    public init() {}

    public func deliver(_ event: KeyEvent) async throws {
        throw NotConfigured()
    }
}

/// Several independent channels (Telegram, email): each event goes to every one, and the delivery fails (the event
/// stays in the outbox) if any of them failed.
///
/// A failed channel does not stop the others, and a retry does not repeat a channel that succeeded: each channel
/// queues idempotently under a dedupe key of its own that names the event (`event:<id>:owner` in Telegram,
/// `event:<id>:mail` for email), so delivering the event again queues only what is still missing. Each channel is
/// thereby delivered at least once, independently of the others.
public struct Notifiers: Notifier {
    public let channels: [any Notifier]

    public init(_ channels: [any Notifier]) {
        self.channels = channels
    }

    /// More than one channel failed; ``failures`` has each one's error, in channel order.
    public struct Failures: Error, CustomStringConvertible {
        public let failures: [any Error]
        public var description: String { failures.map { "\($0)" }.joined(separator: "; ") }
    }

    public func deliver(_ event: KeyEvent) async throws {
        var failures = [any Error]()
        for channel in channels {
            do {
                try await channel.deliver(event)
            } catch {
                failures.append(error)
            }
        }
        if failures.count == 1 { throw failures[0] }
        if failures.count > 1 { throw Failures(failures: failures) }
    }
}
