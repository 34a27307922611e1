/// Runs work for one chat in order and work for different chats concurrently.
///
/// Each chat has a tail: new work waits for the work before it, so two quick messages from one user are never
/// handled at once (frameworks that run handlers detached race on the same conversation state). Nothing here
/// limits how many chats run at once; the work is short and mostly waits on SQLite and Telegram.
actor ChatQueues {
    private var tails = [Int64: (token: Int, task: Task<Void, Never>)]()
    private var nextToken = 0

    func enqueue(_ chatID: Int64, _ work: @escaping @Sendable () async -> Void) {
        let previous = tails[chatID]?.task
        nextToken += 1
        let token = nextToken
        let task = Task {
            await previous?.value
            await work()
            self.finished(chatID, token: token)
        }
        tails[chatID] = (token, task)
    }

    private func finished(_ chatID: Int64, token: Int) {
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
