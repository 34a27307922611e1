import BenchmarkDriver
import Foundation
import Logging

// `exchange-bot-telegram-bench`: the Telegram front end under load, in three parts (all by default):
//   flow   1,000 simulated users through /start and the whole /add flow against the fake Bot API, compared with an
//          echo bot driven the same way in the same run: updates/s, CPU per 1,000 updates, peak RSS;
//   burst  300 approval notices to distinct users with Telegram's 30/s limit enforced by the fake: time against
//          the 10 s floor, and the 429s drawn;
//   idle   the resident memory of `exchange-bot run` idling, against 40 MB.
// Exit status: 0 after a complete run (goals met or not), 1 when a result cannot be trusted, 64 for a bad
// command line.

let options = TelegramBenchOptions(CommandLine.arguments.dropFirst())
ChildProcessGuard.install()
let serviceLogLevel = Logger.Level(rawValue: options.logLevel) ?? .warning
LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = serviceLogLevel
    return handler
}

Report.header(options)
var goals = [String]()
do {
    if options.runs(.flow) {
        Report.progress("flow: echo baseline, \(options.users) users")
        let echo = try await FlowBenchmark.echo(users: options.users, concurrency: options.concurrency)
        Report.progress("flow: exchange-bot, \(options.users) users")
        let bot = try await FlowBenchmark.bot(users: options.users, concurrency: options.concurrency)
        goals += Report.flow(echo: echo, bot: bot, options: options)
    }
    if options.runs(.burst) {
        Report.progress("burst: \(options.notifications) notices")
        goals += Report.burst(try await BurstBenchmark.run(notifications: options.notifications))
    }
    if options.runs(.idle) {
        Report.progress("idle: exchange-bot run")
        let outcome = try await IdleRSS.run(settleSeconds: options.idleSettleSeconds)
        goals += Report.idle(outcome, settleSeconds: options.idleSettleSeconds)
    }
} catch {
    print("\nexchange-bot-telegram-bench FAILED: \(error)")
    exit(1)
}
print("\ngoals")
for line in goals { print(line) }
