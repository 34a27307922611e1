import Synchronization

/// Tells a sender (the bot's outgoing queue, the mail outbox) that something was queued, without a task or an actor
/// hop per wake.
///
/// Wakes are coalesced (a buffer of one): ten commits while the sender is busy make it look at its queue once more,
/// not ten times. ``stop()`` ends the sender's wait for good, which is how a graceful shutdown reaches it.
public final class WakeSignal: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    private let stopped = Atomic(false)
    private let forwarded = Mutex<WakeSignal?>(nil)

    public init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Something was queued (or a lane came free): the sender looks at its queue again.
    public func wake() {
        continuation.yield()
        forwarded.withLock { $0 }?.wake()
    }

    /// Passes every later wake on to `other` as well (`nil`: to no one). A stopped sender cannot wait again, so a
    /// sender started anew (each term of a leader lease) gets a signal of its own, and the long-lived signal that
    /// the notifiers wake forwards to it.
    public func forward(to other: WakeSignal?) {
        forwarded.withLock { $0 = other }
    }

    /// No more sending starts: the sender finishes the sends in flight and returns.
    public func stop() {
        stopped.store(true, ordering: .relaxed)
        continuation.finish()
    }

    public var isStopped: Bool { stopped.load(ordering: .relaxed) }

    /// The wakes, for the one sender that waits on them.
    public var wakes: AsyncStream<Void> { stream }
}
