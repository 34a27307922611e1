import BenchmarkDriver
import BenchmarkFakes
import Foundation

/// All phases against one binary, in this order: idle memory, reply latency, system calls, the flow one user at a
/// time, the flow `concurrency` users at a time.
///
/// The order matters: the admin group is paced at 20 messages a minute, so each flow leaves approval requests
/// queued behind it, and the bot's work posting them would fall into the next phase's window. The phases that
/// send no key come first; the one-at-a-time flow's few requests go out while it runs; the concurrent flow's
/// backlog is left outside every window.
enum UpdateRun {
    /// CPU of the bot's process over one flow.
    struct Flow {
        let users: Int
        /// Users in flight at once.
        let concurrency: Int
        let updates: Int
        let wallSeconds: Double
        let cpuSeconds: Double
        /// CPU of PostgreSQL's processes over the same window, for a bot on PostgreSQL whose server is known.
        let databaseCPUSeconds: Double?
        /// Seconds from an update offered to the fake until the fake had the answer, sorted.
        let answerSeconds: [Double]

        var cpuMillisecondsPerUpdate: Double { cpuSeconds / Double(updates) * 1000 }
        /// PostgreSQL's CPU per update: 0 on SQLite (in the bot's process), nil when it was not counted.
        var databaseMillisecondsPerUpdate: Double? { databaseCPUSeconds.map { $0 / Double(updates) * 1000 } }
    }

    struct Figures {
        let name: String
        let path: String
        let engine: UpdateBenchOptions.Bot.Engine
        let startSeconds: Double
        /// Largest of 10 `VmRSS` samples, 300 ms apart, after the settle time.
        let idleRSSMegabytes: Double
        /// The bot's CPU while idle, as a share of one core.
        let idleCPUPercent: Double
        /// `/help` in an idle chat: offered → answer at the fake, sorted seconds.
        let helpLatencies: [Double]
        /// CPU per `/help` over the latency phase (one update, one answer: the cost of the round trip itself).
        let helpCPUMilliseconds: Double
        let syscalls: SyscallCount?
        let syscallUpdates: Int
        /// System calls over a flow of `concurrency` users at once, after the timed flows, and its update count.
        let flowSyscalls: (count: SyscallCount, updates: Int)?
        let serial: Flow
        let concurrent: Flow
    }

    /// CPU windows close this long after the last answer, so work the bot finishes after answering (commits,
    /// marking messages sent) is counted.
    static let tail: Duration = .milliseconds(500)

    static func measure(_ bot: UpdateBenchOptions.Bot, options: UpdateBenchOptions) async throws -> Figures {
        var database: (name: String, url: String)?
        var server: PostgresServer?
        if bot.engine == .postgres, let postgres = options.postgres {
            database = try await postgres.makeDatabase()
            server = postgres
        }
        let world = try await FakeWorld.start()
        let launched = ContinuousClock.now
        let process: BotProcess
        do {
            process = try await BotProcess(
                binary: bot.path,
                world: world,
                logLevel: options.logLevel,
                databaseURL: database?.url
            )
        } catch {
            try? await world.stop()
            if let server, let database { try? await server.dropDatabase(database.name) }
            throw error
        }
        let startSeconds = (ContinuousClock.now - launched).seconds
        let context = Context(process: process, world: world, database: server, options: options)
        do {
            let figures = try await phases(bot, context, start: startSeconds)
            try await process.stop()
            try await world.stop()
            if let server, let database { try await server.dropDatabase(database.name) }
            return figures
        } catch {
            process.kill()
            try? await world.stop()
            if let server, let database { try? await server.dropDatabase(database.name) }
            throw error
        }
    }

    /// What the phases of one run share.
    private struct Context {
        let process: BotProcess
        let world: FakeWorld
        /// The PostgreSQL server the bot runs on, if it does.
        let database: PostgresServer?
        let options: UpdateBenchOptions
    }

    private static func phases(_ bot: UpdateBenchOptions.Bot, _ context: Context, start: Double) async throws
        -> Figures
    {
        let process = context.process
        let world = context.world
        let options = context.options
        progress("\(bot.name): idle \(options.settleSeconds) s, then RSS")
        try await Task.sleep(for: .seconds(options.settleSeconds))
        let idleStart = ContinuousClock.now
        let idleCPU = try process.cpuSeconds()
        var samples = [Double]()
        for _ in 0..<10 {
            if let rss = ProcessStats.residentMegabytes(of: String(process.pid)) { samples.append(rss) }
            try await Task.sleep(for: .milliseconds(300))
        }
        let idleCPUPercent = (try process.cpuSeconds() - idleCPU) / (ContinuousClock.now - idleStart).seconds * 100
        guard let rss = samples.max() else { throw BenchFailure("could not read /proc/\(process.pid)/status") }

        progress("\(bot.name): reply latency, \(options.latencySamples) /help in idle chats")
        _ = try await oneAtATime(
            world.newUsers(10),
            world: world,
            gap: .milliseconds(100),
            script: FakeWorld.helpScript
        )
        let helpCPU = try process.cpuSeconds()
        let latencies = try await oneAtATime(
            world.newUsers(options.latencySamples),
            world: world,
            gap: .milliseconds(100),
            script: FakeWorld.helpScript
        ).answerSeconds
        try await Task.sleep(for: tail)
        let helpMilliseconds = (try process.cpuSeconds() - helpCPU) / Double(options.latencySamples) * 1000

        var syscalls: SyscallCount?
        if options.syscallUpdates > 0 {
            progress("\(bot.name): perf trace -s over \(options.syscallUpdates) /help")
            let users = world.newUsers(options.syscallUpdates)
            syscalls = try await SyscallCount.during(pid: process.pid, tail: tail) {
                // 40 ms apart: under Telegram's 30 messages a second, so the bot's limiter never waits.
                _ = try await oneAtATime(users, world: world, gap: .milliseconds(40), script: FakeWorld.helpScript)
            }
        }

        progress("\(bot.name): /add flow warm-up, 2 users")
        _ = try await SimulatedUsers(telegram: world.telegram).play(
            world.newUsers(2),
            concurrency: 2,
            script: world.addKeyScript
        )
        progress("\(bot.name): /add flow, \(options.serialUsers) users one at a time")
        let serial = try await flow(options.serialUsers, concurrency: 1, context)
        progress("\(bot.name): /add flow, \(options.users) users, \(options.concurrency) at a time")
        let concurrent = try await flow(options.users, concurrency: options.concurrency, context)
        var flowSyscalls: (count: SyscallCount, updates: Int)?
        if options.syscallUpdates > 0 {
            progress("\(bot.name): perf trace -s over a flow of \(options.concurrency) users at once")
            var updates = 0
            let count = try await SyscallCount.during(pid: process.pid, tail: tail) {
                updates = try await SimulatedUsers(telegram: world.telegram).play(
                    world.newUsers(options.concurrency),
                    concurrency: options.concurrency,
                    script: world.addKeyScript
                ).updates
            }
            flowSyscalls = (count, updates)
        }
        return Figures(
            name: bot.name,
            path: bot.path,
            engine: bot.engine,
            startSeconds: start,
            idleRSSMegabytes: rss,
            idleCPUPercent: idleCPUPercent,
            helpLatencies: latencies,
            helpCPUMilliseconds: helpMilliseconds,
            syscalls: syscalls,
            syscallUpdates: options.syscallUpdates,
            flowSyscalls: flowSyscalls,
            serial: serial,
            concurrent: concurrent
        )
    }

    private static func flow(_ count: Int, concurrency: Int, _ context: Context) async throws -> Flow {
        let process = context.process
        let world = context.world
        let users = world.newUsers(count)
        let started = ContinuousClock.now
        let databaseBefore = context.database?.cpuSeconds()
        let cpuBefore = try process.cpuSeconds()
        let outcome = try await SimulatedUsers(telegram: world.telegram).play(
            users,
            concurrency: concurrency,
            script: world.addKeyScript
        )
        let wall = (ContinuousClock.now - started).seconds
        try await Task.sleep(for: tail)
        let cpu = try process.cpuSeconds() - cpuBefore
        // SQLite works in the bot's process: nothing elsewhere. PostgreSQL: its processes' CPU, when readable.
        var databaseCPU: Double? = 0
        if let server = context.database {
            databaseCPU = databaseBefore.flatMap { before in server.cpuSeconds().map { $0 - before } }
        }
        return Flow(
            users: count,
            concurrency: concurrency,
            updates: outcome.updates,
            wallSeconds: wall,
            cpuSeconds: cpu,
            databaseCPUSeconds: databaseCPU,
            answerSeconds: outcome.answerSeconds
        )
    }

    /// Each user's script in turn, `gap` apart, so every update finds the bot idle and its chat quiet.
    private static func oneAtATime(
        _ users: [FakeUser],
        world: FakeWorld,
        gap: Duration,
        script: @escaping @Sendable (FakeUser) -> [UserStep]
    ) async throws -> SimulatedUsers.Outcome {
        var updates = 0
        var seconds = [Double]()
        var answers = [Double]()
        for user in users {
            let outcome = try await SimulatedUsers(telegram: world.telegram).play(
                [user],
                concurrency: 1,
                script: script
            )
            updates += outcome.updates
            seconds += outcome.userSeconds
            answers += outcome.answerSeconds
            try await Task.sleep(for: gap)
        }
        return SimulatedUsers.Outcome(updates: updates, userSeconds: seconds.sorted(), answerSeconds: answers.sorted())
    }

    static func progress(_ line: String) {
        FileHandle.standardError.write(Data("[update-bench] \(line)\n".utf8))
    }
}
