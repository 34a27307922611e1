import BenchmarkDriver
import BenchmarkFakes
import EchoBot
import ExchangeBotCore
import Foundation
import GRDB
import TelegramAPIClient
import TelegramBot

/// Part 1: many users at once through `/start` and the whole `/add` flow of an OKX key (label, API key, secret,
/// passphrase, "awaiting approval"), against the echo bot on the same fake and the same simulated users.
///
/// Telegram's send limits are off on both sides (the fake does not enforce them; the bot's own limiter is set far
/// above the load), because this part measures the bot's work per update, not Telegram's pacing; the burst part
/// measures the pacing. The fake exchange answers at once for the same reason.
enum FlowBenchmark {
    /// Figures of one side.
    struct Figures {
        let name: String
        let updates: Int
        let wallSeconds: Double
        let cpuSeconds: Double
        let peakMegabytes: Double?
        /// Each user's time from its first step to its last answer, sorted.
        let userSeconds: [Double]
        /// The work left when the last user had its answer (bot side only).
        var backlog: Backlog?

        var updatesPerSecond: Double { Double(updates) / wallSeconds }
        var cpuPerThousand: Double { cpuSeconds / Double(updates) * 1000 }
        func userPercentile(_ fraction: Double) -> Double {
            userSeconds[min(userSeconds.count - 1, Int(Double(userSeconds.count) * fraction))]
        }
    }

    /// The admin group's requests queue behind one another (one message in flight per chat), so some are still
    /// unsent when the last user has its answer: the time and CPU until all are posted.
    struct Backlog {
        let seconds: Double
        let cpuSeconds: Double
    }

    /// The bot's own send limits in this part: far above the load, so they never delay a message.
    static let sendLimits = OutgoingRateLimiter.Limits(
        privateChat: .init(limit: 1000, seconds: 1),
        group: .init(limit: 100_000, seconds: 1),
        global: .init(limit: 100_000, seconds: 1)
    )

    /// Users' Telegram ids start here (private chat id = user id).
    static let firstUserID: Int64 = 2_000_001

    /// Request cards the bot posts in a minute before it sends the admin group one notice instead (Telegram's
    /// 20 messages a minute to a group; the bot's `RequestBurst`).
    static let guardedCards = 20

    static func users(_ count: Int) -> [FakeUser] {
        (0..<count).map { index in
            FakeUser(id: firstUserID + Int64(index), firstName: "User \(index)", username: "bench_user_\(index)")
        }
    }

    // MARK: - Echo baseline

    static func echo(users count: Int, concurrency: Int) async throws -> Figures {
        let telegram = try await FakeTelegramServer.start(token: BotSetup.token)
        let bot = EchoBot(baseURL: telegram.baseURL, token: BotSetup.token)
        let polling = Task { await bot.run() }
        guard await telegram.waitUntil(timeout: .seconds(30), { telegram.isPolling }) else {
            throw BenchFailure("the echo bot did not start polling")
        }
        // The same number of updates, of the same kinds, in the same order as the real flow.
        let script: @Sendable (FakeUser) -> [UserStep] = { user in
            ["/start", "/add"].map { UserStep.any(.say($0)) } + [.any(.pressData("exchange:okx"))]
                + ["Key \(user.id)", "api-key-\(user.id)", "secret-\(user.id)", "passphrase-\(user.id)"].map {
                    UserStep.any(.say($0))
                }
        }
        ProcessStats.resetPeak()
        let clock = PhaseClock()
        let outcome = try await SimulatedUsers(telegram: telegram).play(
            users(count),
            concurrency: concurrency,
            script: script
        )
        let figures = Figures(
            name: "echo bot (baseline)",
            updates: outcome.updates,
            wallSeconds: clock.wallSeconds,
            cpuSeconds: clock.cpuSeconds,
            peakMegabytes: ProcessStats.peakMegabytes(),
            userSeconds: outcome.userSeconds
        )
        polling.cancel()
        let failures = await polling.value
        await bot.shutdown()
        await telegram.stop()
        if failures > 0 { throw BenchFailure("the echo bot failed to send \(failures) answers") }
        return figures
    }

    // MARK: - The bot

    static func bot(users count: Int, concurrency: Int) async throws -> Figures {
        let setup = try await BotSetup.start()
        let okx = try await FakeExchangeServer.start(.okx, latency: 0)
        let people = users(count)
        var accounts = [Int64: FakeAccount]()
        for user in people {
            let account = FakeAccount.random(for: .okx)
            okx.register(account)
            accounts[user.id] = account
        }
        let running = try await setup.startRuntime(exchanges: [.okx: okx.origin]) { configuration in
            configuration.sendLimits = sendLimits
        }
        let credentials = accounts
        let script: @Sendable (FakeUser) -> [UserStep] = { user in
            let account = credentials[user.id]!
            return [
                .any(.say("/start")),
                UserStep(.say("/add"), expecting: "the exchange buttons") { $0.button("OKX") != nil },
                .answer(.press(caption: "OKX"), containing: "send a name"),
                .answer(.say("Key \(user.id)"), containing: "API key"),
                .answer(.say(account.apiKey), containing: "API secret"),
                .answer(.say(account.secret), containing: "passphrase"),
                .answer(.say(account.passphrase ?? ""), containing: "awaiting approval"),
            ]
        }
        ProcessStats.resetPeak()
        let clock = PhaseClock()
        let outcome: SimulatedUsers.Outcome
        do {
            outcome = try await SimulatedUsers(telegram: setup.telegram).play(
                people,
                concurrency: concurrency,
                script: script
            )
        } catch {
            try? await running.stop()
            throw error
        }
        var figures = Figures(
            name: "exchange-bot",
            updates: outcome.updates,
            wallSeconds: clock.wallSeconds,
            cpuSeconds: clock.cpuSeconds,
            peakMegabytes: ProcessStats.peakMegabytes(),
            userSeconds: outcome.userSeconds
        )
        figures.backlog = try await verify(setup, users: people)
        try await running.stop()
        try await okx.stop()
        await setup.telegram.stop()
        return figures
    }

    /// Every user heard "awaiting approval" exactly once, every key is stored, every press was answered, and the
    /// admins heard of every request: a card per key, or, past the bot's guard against flooding the group
    /// (Telegram lets a bot post 20 messages a minute to a group), cards for the first ones and a notice that opens
    /// the list of all of them. Returns how long (and how much CPU) posting the last of those took.
    private static func verify(_ setup: BotSetup, users: [FakeUser]) async throws -> Backlog {
        let telegram = setup.telegram
        let clock = PhaseClock()
        let group = setup.adminGroup.id
        let posted: @Sendable (String) -> Int = { caption in
            telegram.botMessages(in: group).filter { $0.button(caption) != nil }.count
        }
        let cards: @Sendable () -> Int = { posted("Approve") }
        let notices: @Sendable () -> Int = { posted("Open the list") }
        let done = await telegram.waitUntil(timeout: .seconds(120)) {
            cards() >= users.count || (notices() > 0 && cards() >= min(users.count, guardedCards))
        }
        let backlog = Backlog(seconds: clock.wallSeconds, cpuSeconds: clock.cpuSeconds)
        guard done, cards() <= users.count else {
            throw BenchFailure(
                "the admin group got \(cards()) approval requests and \(notices()) flood notices for "
                    + "\(users.count) keys"
            )
        }
        for user in users {
            let answers = telegram.botMessages(in: user.id).filter { $0.text.contains("awaiting approval") }.count
            guard answers == 1 else {
                throw BenchFailure("user \(user.id) got \"awaiting approval\" \(answers) times")
            }
        }
        let unanswered = telegram.unansweredCallbackQueries().count
        guard unanswered == 0 else { throw BenchFailure("\(unanswered) button presses were never answered") }
        let stored = try await countRows(
            "SELECT COUNT(*) FROM user_exchanges WHERE status = 'PENDING'",
            in: setup.databasePath
        )
        guard stored == users.count else {
            throw BenchFailure("\(stored) keys stored as PENDING in user_exchanges for \(users.count) users")
        }
        return backlog
    }

    static func countRows(_ sql: String, in path: String) async throws -> Int {
        var configuration = Configuration()
        configuration.readonly = true
        let database = try DatabaseQueue(path: path, configuration: configuration)
        return try await database.read { db in try Int.fetchOne(db, sql: sql) ?? 0 }
    }
}
