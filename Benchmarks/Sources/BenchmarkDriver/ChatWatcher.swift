import BenchmarkFakes
import Foundation
import Synchronization

/// Waits for the bot's messages on behalf of many simulated users at once, with one waiter on the fake.
///
/// The fake wakes every `waitUntil` caller on every change of its state. Sixty-four users each waiting on their
/// own would mean sixty-four task wake-ups (and timer tasks) per request the bot makes, and that cost would be
/// charged to the bot under test. Here a single loop re-checks the users that are waiting, once per wake-up, and
/// resumes those whose answer arrived; wake-ups that come while it is busy are folded into its next check.
public final class ChatWatcher: Sendable {
    /// A bot message and the number of bot messages in its chat up to and including it.
    public struct Found: Sendable {
        public let message: FakeSentMessage
        public let seen: Int
    }

    private struct Waiter {
        let id: UInt64
        let seen: Int
        let deadline: ContinuousClock.Instant
        let predicate: @Sendable (FakeSentMessage) -> Bool
        let continuation: CheckedContinuation<Found?, Never>
    }

    private let telegram: FakeTelegramServer
    private let waiters = Mutex<[Int64: Waiter]>([:])
    private let stopped = Atomic<Bool>(false)
    private let nextID = Atomic<UInt64>(0)

    public init(telegram: FakeTelegramServer) {
        self.telegram = telegram
    }

    /// Checks waiters whenever the fake changes (and every 50 ms, for deadlines) until ``stop()``.
    public func run() async {
        while !stopped.load(ordering: .acquiring) {
            await telegram.waitUntil(timeout: .seconds(60)) {
                self.checkAll()
                return self.stopped.load(ordering: .acquiring)
            }
        }
    }

    /// Ends ``run()`` and answers every waiting user with nil (used when a run fails).
    public func stop() {
        let left = waiters.withLock { waiters in
            stopped.store(true, ordering: .releasing)
            defer { waiters.removeAll() }
            return Array(waiters.values)
        }
        for waiter in left { waiter.continuation.resume(returning: nil) }
    }

    /// The first bot message in `chatID` after the first `seen` ones that satisfies `predicate`; nil after
    /// `timeout`. One wait per chat at a time: a simulated user waits for one answer before its next step.
    public func next(
        in chatID: Int64,
        after seen: Int,
        timeout: Duration,
        where predicate: @escaping @Sendable (FakeSentMessage) -> Bool
    ) async -> Found? {
        await withCheckedContinuation { continuation in
            let waiter = Waiter(
                id: nextID.add(1, ordering: .relaxed).newValue,
                seen: seen,
                deadline: .now + timeout,
                predicate: predicate,
                continuation: continuation
            )
            // Registered under the lock that `stop()` takes, so no waiter slips in after it.
            let registered = waiters.withLock { waiters -> Bool in
                guard !stopped.load(ordering: .acquiring) else { return false }
                waiters[chatID] = waiter
                return true
            }
            guard registered else { return continuation.resume(returning: nil) }
            // The answer may be there already, and the fake may not change again for a while.
            check(chatID)
        }
    }

    private func checkAll() {
        let chats = waiters.withLock { Array($0.keys) }
        for chatID in chats { check(chatID) }
    }

    /// Resumes the chat's waiter if its message is there or its time is up. Two checks may race for one waiter
    /// (the immediate one and the loop's): only the one that removes it, by id, resumes it.
    private func check(_ chatID: Int64) {
        guard let waiter = waiters.withLock({ $0[chatID] }) else { return }
        let found = Self.search(telegram.messages(in: chatID), after: waiter.seen, where: waiter.predicate)
        guard found != nil || ContinuousClock.now >= waiter.deadline else { return }
        let claimed = waiters.withLock { waiters -> Bool in
            guard waiters[chatID]?.id == waiter.id else { return false }
            waiters[chatID] = nil
            return true
        }
        if claimed { waiter.continuation.resume(returning: found) }
    }

    private static func search(
        _ messages: [FakeSentMessage],
        after seen: Int,
        where predicate: (FakeSentMessage) -> Bool
    ) -> Found? {
        var count = 0
        for message in messages where message.isOutgoing {
            count += 1
            if count > seen, predicate(message) { return Found(message: message, seen: count) }
        }
        return nil
    }
}
