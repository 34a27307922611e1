import Synchronization

/// Tells a sender (the bot's outgoing queue, the mail outbox) that something was queued, without a task or an actor
/// hop per wake.
///
/// Wakes are coalesced (a buffer of one): ten commits while the sender is busy make it look at its queue once more,
/// not ten times. ``stop()`` ends the sender's wait for good, which is how a graceful shutdown reaches it. A sender
/// that knows when its next work comes due (a retry's time) asks for a wake then with ``wake(at:)`` instead of
/// reading its queue on a fixed tick.
public final class WakeSignal: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    private let stopped = Atomic(false)
    private let forwarded = Mutex<WakeSignal?>(nil)
    /// The one timer set by ``wake(at:)``: the earliest instant asked for and the task that sleeps until it.
    private let alarm = Mutex<(at: ContinuousClock.Instant, timer: Task<Void, Never>)?>(nil)

    public init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Something was queued (or a lane came free): the sender looks at its queue again.
    public func wake() {
        continuation.yield()
        forwarded.withLock { $0 }?.wake()
    }

    /// Wakes the sender at `instant` (at once if it has passed). Only the earliest alarm is kept: a sender asks again,
    /// each time it looks at its queue, for the next time it knows of, so a later one is not lost by being dropped here.
    /// One task per alarm moved earlier, none per wake.
    public func wake(at instant: ContinuousClock.Instant) {
        let replaced = alarm.withLock { alarm -> Task<Void, Never>? in
            // Under the lock that ``stop()`` takes too: a stopped signal never gets a timer.
            if isStopped { return nil }
            if let current = alarm, current.at <= instant { return nil }
            let previous = alarm?.timer
            let timer = Task { [weak self] in
                guard (try? await Task.sleep(until: instant)) != nil, let self else { return }
                self.alarm.withLock { alarm in
                    if alarm?.at == instant { alarm = nil }
                }
                self.wake()
            }
            alarm = (instant, timer)
            return previous
        }
        replaced?.cancel()
    }

    /// Passes every later wake on to `other` as well (`nil`: to no one). A stopped sender cannot wait again, so a
    /// sender started anew (each term of a leader lease) gets a signal of its own, and the long-lived signal that
    /// the notifiers wake forwards to it.
    public func forward(to other: WakeSignal?) {
        forwarded.withLock { $0 = other }
    }

    /// No more sending starts: the sender finishes the sends in flight and returns.
    public func stop() {
        let timer = alarm.withLock { alarm -> Task<Void, Never>? in
            stopped.store(true, ordering: .relaxed)
            defer { alarm = nil }
            return alarm?.timer
        }
        timer?.cancel()
        continuation.finish()
    }

    public var isStopped: Bool { stopped.load(ordering: .relaxed) }

    /// The wakes, for the one sender that waits on them.
    public var wakes: AsyncStream<Void> { stream }
}
