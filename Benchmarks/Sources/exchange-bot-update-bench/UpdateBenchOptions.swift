import Foundation

/// The command line: which `exchange-bot` binaries to measure, and the size of each phase.
struct UpdateBenchOptions {
    /// A binary under measurement, the name its column gets, and the database engine it runs on.
    struct Bot {
        enum Engine: String {
            /// A fresh SQLite file in the run's folder.
            case sqlite
            /// A fresh database on the `--postgres-url` server.
            case postgres
        }

        let name: String
        let path: String
        var engine = Engine.sqlite

        /// `exchange-bot-echo`, the floor: it keeps no database and is no candidate for the goals.
        var isEchoFloor: Bool { Self.isEchoFloor(path) }

        static func isEchoFloor(_ path: String) -> Bool {
            URL(fileURLWithPath: path).lastPathComponent == "exchange-bot-echo"
        }
    }

    var bots: [Bot] = []
    /// The server of the `@postgres` bots, and its postmaster's process id (for its CPU), if known.
    var postgres: PostgresServer?
    /// Users in the flow with `concurrency` users in flight at once.
    var users = 64
    var concurrency = 16
    /// Users in the flow played one after another.
    var serialUsers = 8
    var latencySamples = 50
    /// `/help` updates whose system calls are counted (`perf trace -s`); 0 skips both counts (that one and the
    /// flow's, `concurrency` users at once after the concurrent flow).
    var syscallUpdates = 200
    var settleSeconds = 5.0
    /// The bot's `LOG_LEVEL`: the service's default, as in production.
    var logLevel = "info"
    /// Runs of every binary, interleaved (this machine's noise moves one run by 10 % or more): the table shows each
    /// figure's median over them, and the CPU rows their range.
    var rounds = 1

    static let usage = """
        usage: exchange-bot-update-bench [--bot NAME=PATH[@ENGINE]]... [--postgres-url URL] [--postgres-pid PID]
                                         [--users N] [--concurrency N] [--serial-users N] [--latency-samples N]
                                         [--syscall-updates N] [--settle S] [--log-level LEVEL] [--rounds N]
          --bot NAME=PATH[@ENGINE]
                                an exchange-bot binary to measure, its column named NAME; repeat it to compare
                                binaries, or engines, in one run (the first is the baseline of the ratios).
                                ENGINE: sqlite (the default: a fresh file per run) or postgres (a fresh database
                                per run on the --postgres-url server). Default: now=<the exchange-bot beside this
                                bench>
          --postgres-url URL    a PostgreSQL server for the @postgres bots: the URL of any database on it, as a
                                user that may CREATE DATABASE (default: $BENCH_POSTGRES_URL, which
                                Benchmarks/postgres/cluster.sh run sets)
          --postgres-pid PID    the server's postmaster, to count PostgreSQL's CPU beside the bot's (default:
                                $BENCH_POSTGRES_PID, which cluster.sh run sets; without it that CPU is not shown)
          --users N             users in the concurrent flow (default 64)
          --concurrency N       users in flight at once in that flow (default 16)
          --serial-users N      users in the one-at-a-time flow (default 8)
          --latency-samples N   /help updates in idle chats for the reply latency (default 50)
          --syscall-updates N   /help updates whose system calls perf trace -s counts, before a traced flow of
                                --concurrency users; 0 skips both counts (default 200)
          --settle S            seconds the bot idles after start before its RSS is sampled (default 5)
          --log-level LEVEL     the bot's LOG_LEVEL (default info, the service's default)
          --rounds N            run every binary N times, interleaved (the order reversed every other round);
                                the table shows each figure's median and the CPU rows' lowest and highest
                                (default 1). System calls are counted in the first round only

        """

    init(_ arguments: ArraySlice<String>) {
        var iterator = arguments.makeIterator()
        let environment = ProcessInfo.processInfo.environment
        var postgresURL = environment["BENCH_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
        var postgresPID = environment["BENCH_POSTGRES_PID"].flatMap { Int32($0) }
        func count(after flag: String, least: Int = 1) -> Int {
            guard let value = iterator.next().flatMap(Int.init), value >= least else {
                Self.fail("\(flag) needs a whole number of at least \(least)")
            }
            return value
        }
        while let flag = iterator.next() {
            switch flag {
            case "--bot":
                guard let value = iterator.next(), let equals = value.firstIndex(of: "="),
                    equals != value.startIndex
                else { Self.fail("--bot needs NAME=PATH[@ENGINE]") }
                var bot = Bot(name: String(value[..<equals]), path: String(value[value.index(after: equals)...]))
                for engine in [Bot.Engine.sqlite, .postgres] where bot.path.hasSuffix("@" + engine.rawValue) {
                    bot = Bot(
                        name: bot.name,
                        path: String(bot.path.dropLast(engine.rawValue.count + 1)),
                        engine: engine
                    )
                }
                bots.append(bot)
            case "--postgres-url":
                guard let value = iterator.next() else { Self.fail("--postgres-url needs a URL") }
                postgresURL = value
            case "--postgres-pid":
                guard let value = iterator.next().flatMap(Int32.init), value > 0 else {
                    Self.fail("--postgres-pid needs a process id")
                }
                postgresPID = value
            case "--users": users = count(after: flag)
            case "--concurrency": concurrency = count(after: flag)
            case "--serial-users": serialUsers = count(after: flag)
            case "--latency-samples": latencySamples = count(after: flag)
            case "--syscall-updates": syscallUpdates = count(after: flag, least: 0)
            case "--settle":
                guard let value = iterator.next().flatMap(Double.init), value >= 0 else {
                    Self.fail("--settle needs a number of seconds")
                }
                settleSeconds = value
            case "--rounds": rounds = count(after: flag)
            case "--log-level":
                guard let level = iterator.next() else { Self.fail("--log-level needs a level") }
                logLevel = level
            case "--help", "-h":
                print(Self.usage, terminator: "")
                exit(0)
            default:
                Self.fail("unknown option \(flag)")
            }
        }
        if bots.isEmpty {
            let beside = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            bots = [Bot(name: "now", path: beside.appendingPathComponent("exchange-bot").path)]
        }
        for bot in bots where !FileManager.default.isExecutableFile(atPath: bot.path) {
            Self.fail("no executable at \(bot.path) (--bot \(bot.name)=PATH)")
        }
        if bots.contains(where: { $0.engine == .postgres }) {
            guard let postgresURL else {
                Self.fail("a @postgres bot needs --postgres-url (or BENCH_POSTGRES_URL): a server to make databases on")
            }
            postgres = PostgresServer(url: postgresURL, postmasterPID: postgresPID)
        }
    }

    private static func fail(_ problem: String) -> Never {
        FileHandle.standardError.write(Data("exchange-bot-update-bench: \(problem)\n\(usage)".utf8))
        exit(64)
    }
}
