import Synchronization

/// Tells the instance that handles the bot's updates that one was stored in the inbox: by this instance's webhook
/// route, or (rung by whoever learns of it) by another instance's.
///
/// Unlike ``ExchangeBotCore/WakeSignal`` it can be waited on with a time limit and by one run after another (a
/// handler stopped and started again, as a leader that lost its lease and won it back is), and a ring while no one
/// waits is kept for the next wait. Rings are coalesced: the handler reads the whole inbox each time.
public final class InboxBell: Sendable {
    private struct State {
        var rung = false
        var nextWaiter: UInt64 = 0
        var waiter: (id: UInt64, continuation: CheckedContinuation<Void, Never>)?
    }

    private let state = Mutex(State())

    public init() {}

    /// Something was stored: the handler reads the inbox again.
    public func ring() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.rung = true
                return nil
            }
            state.waiter = nil
            return waiter.continuation
        }
        waiter?.resume()
    }

    /// Returns at the next ring (at once if one came since the last wait), after `timeout`, or when the task is
    /// cancelled. For one waiter at a time.
    func wait(upTo timeout: Duration) async {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter &+= 1
            return state.nextWaiter
        }
        let timer = Task { [self] in
            try? await Task.sleep(for: timeout)
            release(id)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.rung || Task.isCancelled {
                        state.rung = false
                        return true
                    }
                    state.waiter = (id, continuation)
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            release(id)
        }
        timer.cancel()
    }

    private func release(_ id: UInt64) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter, waiter.id == id else { return nil }
            state.waiter = nil
            return waiter.continuation
        }
        waiter?.resume()
    }
}
