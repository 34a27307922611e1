import BenchmarkFakes
import Foundation

/// One step of a simulated user's script: what the user does (one update for the bot), and which answer of the
/// bot ends the step.
public struct UserStep: Sendable {
    public enum Action: Sendable {
        case say(String)
        /// Presses the button with this caption on the bot message that ended the previous step.
        case press(caption: String)
        /// Presses a button on that message with this callback data, whatever it shows (the echo bot's messages
        /// have no buttons).
        case pressData(String)
    }

    public let action: Action
    /// What the step waits for, for failure messages.
    public let expecting: String
    public let answer: @Sendable (FakeSentMessage) -> Bool

    public init(_ action: Action, expecting: String, answer: @escaping @Sendable (FakeSentMessage) -> Bool) {
        self.action = action
        self.expecting = expecting
        self.answer = answer
    }

    /// A step that ends with whatever the bot sends next.
    public static func any(_ action: Action) -> UserStep {
        UserStep(action, expecting: "any answer") { _ in true }
    }

    /// A step that ends with the first answer containing `text`.
    public static func answer(_ action: Action, containing text: String) -> UserStep {
        UserStep(action, expecting: "an answer containing \"\(text)\"") { $0.text.contains(text) }
    }
}

/// Plays many users against the fake Bot API, each through its script one step at a time (act, then wait for
/// the answer), `concurrency` users at a time: the load a bot sees when many people talk to it at once.
///
/// The same driver plays both the bot under test and the echo baseline, so its own cost (and the fake's) is the
/// same on both sides of the ratio.
public struct SimulatedUsers: Sendable {
    public let telegram: FakeTelegramServer
    /// How long one step may wait for its answer before the run fails.
    public var stepTimeout: Duration = .seconds(60)

    public init(telegram: FakeTelegramServer) {
        self.telegram = telegram
    }

    public struct Outcome: Sendable {
        /// Updates the users caused: messages sent plus buttons pressed.
        public let updates: Int
        /// Seconds from each user's first step to its last answer, sorted.
        public let userSeconds: [Double]
        /// Seconds from each update offered to the fake until the fake received the bot's answer to it, sorted.
        public let answerSeconds: [Double]

        public init(updates: Int, userSeconds: [Double], answerSeconds: [Double]) {
            self.updates = updates
            self.userSeconds = userSeconds
            self.answerSeconds = answerSeconds
        }
    }

    /// Plays `script(user)` for every user and returns when all have their last answer; throws ``BenchFailure``
    /// with the chat so far when an answer does not come.
    public func play(_ users: [FakeUser], concurrency: Int, script: @escaping @Sendable (FakeUser) -> [UserStep])
        async throws -> Outcome
    {
        let watcher = ChatWatcher(telegram: telegram)
        let watching = Task { await watcher.run() }
        defer {
            watcher.stop()
            watching.cancel()
        }
        var times = [Double]()
        var answers = [Double]()
        var updates = 0
        try await withThrowingTaskGroup(of: (updates: Int, seconds: Double, answers: [Double]).self) { group in
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
                    answers += finished.answers
                    if next < users.count { launch() }
                }
            } catch {
                watcher.stop()  // the other users' waits end at once instead of at their timeout
                throw error
            }
        }
        return Outcome(updates: updates, userSeconds: times.sorted(), answerSeconds: answers.sorted())
    }

    private func playOne(_ user: FakeUser, _ steps: [UserStep], watcher: ChatWatcher) async throws
        -> (updates: Int, seconds: Double, answers: [Double])
    {
        let chat = FakeChat.privateChat(with: user)
        let start = ContinuousClock.now
        var seen = 0
        var last: FakeSentMessage?
        var answers = [Double]()
        for (index, step) in steps.enumerated() {
            let offered = Date()
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
            // The fake stamps each message when the bot's request for it arrives.
            answers.append((found.message.versions.first?.time ?? Date()).timeIntervalSince(offered))
        }
        return (steps.count, (ContinuousClock.now - start).seconds, answers)
    }
}

/// A result that cannot be trusted: the bench prints `FAILED: …` and exits with status 1.
public struct BenchFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
