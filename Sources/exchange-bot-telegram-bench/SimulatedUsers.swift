import Foundation
import TestSupport

/// One step of a simulated user's script: what the user does (one update for the bot), and which answer of the
/// bot ends the step.
struct UserStep: Sendable {
    enum Action: Sendable {
        case say(String)
        /// Presses the button with this caption on the bot message that ended the previous step.
        case press(caption: String)
        /// Presses a button on that message with this callback data, whatever it shows (the echo bot's messages
        /// have no buttons).
        case pressData(String)
    }

    let action: Action
    /// What the step waits for, for failure messages.
    let expecting: String
    let answer: @Sendable (FakeSentMessage) -> Bool

    init(_ action: Action, expecting: String, answer: @escaping @Sendable (FakeSentMessage) -> Bool) {
        self.action = action
        self.expecting = expecting
        self.answer = answer
    }

    /// A step that ends with whatever the bot sends next.
    static func any(_ action: Action) -> UserStep {
        UserStep(action, expecting: "any answer") { _ in true }
    }

    /// A step that ends with the first answer containing `text`.
    static func answer(_ action: Action, containing text: String) -> UserStep {
        UserStep(action, expecting: "an answer containing \"\(text)\"") { $0.text.contains(text) }
    }
}

/// Plays many users against the fake Bot API, each through its script one step at a time (act, then wait for
/// the answer), `concurrency` users at a time: the load a bot sees when many people talk to it at once.
///
/// The same driver plays both the bot under test and the echo baseline, so its own cost (and the fake's) is the
/// same on both sides of the ratio.
struct SimulatedUsers {
    let telegram: FakeTelegramServer
    /// How long one step may wait for its answer before the run fails.
    var stepTimeout: Duration = .seconds(60)

    struct Outcome {
        /// Updates the users caused: messages sent plus buttons pressed.
        let updates: Int
        /// Seconds from each user's first step to its last answer, sorted.
        let userSeconds: [Double]
    }

    /// Plays `script(user)` for every user and returns when all have their last answer; throws ``BenchFailure``
    /// with the chat so far when an answer does not come.
    func play(_ users: [FakeUser], concurrency: Int, script: @escaping @Sendable (FakeUser) -> [UserStep])
        async throws -> Outcome
    {
        let watcher = ChatWatcher(telegram: telegram)
        let watching = Task { await watcher.run() }
        defer {
            watcher.stop()
            watching.cancel()
        }
        var times = [Double]()
        var updates = 0
        try await withThrowingTaskGroup(of: (updates: Int, seconds: Double).self) { group in
            var next = 0
            func launch() {
                let user = users[next]
                next += 1
                group.addTask { try await playOne(user, script(user), watcher: watcher) }
            }
            while next < min(concurrency, users.count) { launch() }
            do {
                while let finished = try await group.next() {
                    updates += finished.updates
                    times.append(finished.seconds)
                    if next < users.count { launch() }
                }
            } catch {
                watcher.stop()  // the other users' waits end at once instead of at their timeout
                throw error
            }
        }
        return Outcome(updates: updates, userSeconds: times.sorted())
    }

    private func playOne(_ user: FakeUser, _ steps: [UserStep], watcher: ChatWatcher) async throws
        -> (updates: Int, seconds: Double)
    {
        let chat = FakeChat.privateChat(with: user)
        let start = ContinuousClock.now
        var seen = 0
        var last: FakeSentMessage?
        for (index, step) in steps.enumerated() {
            switch step.action {
            case .say(let text):
                telegram.sendUserMessage(from: user, chat: chat, text: text)
            case .press(let caption):
                guard let last, telegram.pressButton(from: user, on: last, caption: caption) != nil else {
                    throw BenchFailure("user \(user.id), step \(index + 1): no \"\(caption)\" button to press")
                }
            case .pressData(let data):
                telegram.pressButton(from: user, message: (chat, last?.messageID ?? 1), data: data)
            }
            guard let found = await watcher.next(in: chat.id, after: seen, timeout: stepTimeout, where: step.answer)
            else {
                let transcript = telegram.messages(in: chat.id).map {
                    "  \($0.isOutgoing ? "bot" : "user"): \($0.text)"
                }
                throw BenchFailure(
                    "user \(user.id), step \(index + 1): no \(step.expecting) within \(stepTimeout); chat so far:\n"
                        + transcript.joined(separator: "\n")
                )
            }
            seen = found.seen
            last = found.message
        }
        return (steps.count, (ContinuousClock.now - start).seconds)
    }
}

/// A result that cannot be trusted: the bench prints `FAILED: …` and exits with status 1.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
