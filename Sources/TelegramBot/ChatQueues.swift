import Synchronization

/// Runs work for one chat in order and work for different chats concurrently.
///
/// Each chat has a tail: new work waits for the work before it, so two quick messages from one user are never
/// handled at once (frameworks that run handlers detached race on the same conversation state). Nothing here
/// limits how many chats run at once; the work is short and mostly waits on SQLite and Telegram. How much may wait
/// per chat is bounded (``maxWaiting``): a chat flooded faster than its updates are handled refuses more, rather
/// than holding an ever longer line of tasks in memory. The bookkeeping is a lock, not an actor: queuing an update
/// costs its one task and no hop.
final class ChatQueues: Sendable {
    private struct Tails {
        var tails = [Int64: (token: Int, task: Task<Void, Never>)]()
        var waiting = [Int64: Int]()
        var nextToken = 0
    }

    private let state = Mutex(Tails())
    let maxWaiting: Int

    init(maxWaiting: Int = 200) {
        self.maxWaiting = maxWaiting
    }

    /// Queues `work` after the chat's earlier work; `false` (and nothing queued) when the chat already has
    /// ``maxWaiting`` pieces waiting and `bounded` is set. Work that must not be lost (a key check's verdict) passes
    /// `bounded: false`; its number is bounded by its own source.
    @discardableResult
    func enqueue(_ chatID: Int64, bounded: Bool = true, _ work: @escaping @Sendable () async -> Void) -> Bool {
        state.withLock { state in
            if bounded, state.waiting[chatID, default: 0] >= maxWaiting { return false }
            state.waiting[chatID, default: 0] += 1
            let previous = state.tails[chatID]?.task
            state.nextToken += 1
            let token = state.nextToken
            let task = Task {
                await previous?.value
                await work()
                self.finished(chatID, token: token)
            }
            state.tails[chatID] = (token, task)
            return true
        }
    }

    private func finished(_ chatID: Int64, token: Int) {
        state.withLock { state in
            if let count = state.waiting[chatID], count > 1 {
                state.waiting[chatID] = count - 1
            } else {
                state.waiting[chatID] = nil
            }
            if state.tails[chatID]?.token == token { state.tails[chatID] = nil }
        }
    }

    /// Waits until every queued piece of work has run.
    func drain() async {
        while let tail = state.withLock({ $0.tails.values.first?.task }) {
            await tail.value
        }
    }

    var busyChats: Int { state.withLock { $0.tails.count } }
}
