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
