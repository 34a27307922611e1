/// Runs work for one chat in order and work for different chats concurrently.
///
/// Each chat has a tail: new work waits for the work before it, so two quick messages from one user are never
/// handled at once (frameworks that run handlers detached race on the same conversation state). Nothing here
/// limits how many chats run at once; the work is short and mostly waits on SQLite and Telegram. How much may wait
/// per chat is bounded (``maxWaiting``): a chat flooded faster than its updates are handled refuses more, rather
/// than holding an ever longer line of tasks in memory.
actor ChatQueues {
    private var tails = [Int64: (token: Int, task: Task<Void, Never>)]()
    private var waiting = [Int64: Int]()
    private var nextToken = 0
    let maxWaiting: Int

    init(maxWaiting: Int = 200) {
        self.maxWaiting = maxWaiting
    }

    /// Queues `work` after the chat's earlier work; `false` (and nothing queued) when the chat already has
    /// ``maxWaiting`` pieces waiting and `bounded` is set. Work that must not be lost (a key check's verdict) passes
    /// `bounded: false`; its number is bounded by its own source.
    @discardableResult
    func enqueue(_ chatID: Int64, bounded: Bool = true, _ work: @escaping @Sendable () async -> Void) -> Bool {
        if bounded, waiting[chatID, default: 0] >= maxWaiting { return false }
        waiting[chatID, default: 0] += 1
        let previous = tails[chatID]?.task
        nextToken += 1
        let token = nextToken
        let task = Task {
            await previous?.value
            await work()
            self.finished(chatID, token: token)
        }
        tails[chatID] = (token, task)
        return true
    }

    private func finished(_ chatID: Int64, token: Int) {
        if let count = waiting[chatID], count > 1 { waiting[chatID] = count - 1 } else { waiting[chatID] = nil }
        if tails[chatID]?.token == token { tails[chatID] = nil }
    }

    /// Waits until every queued piece of work has run.
    func drain() async {
        while let tail = tails.values.first {
            await tail.task.value
        }
    }

    var busyChats: Int { tails.count }
}
