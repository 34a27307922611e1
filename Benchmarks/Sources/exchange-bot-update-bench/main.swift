import BenchmarkDriver
import Foundation

// `exchange-bot-update-bench`: what one chat update costs the bot's own process. Each binary given with --bot runs
// as `exchange-bot run` in a process of its own against the fake Bot API and a fake Binance served by this
// process, and simulated users play the flow (/start, /add, the Binance button, label, key, secret), 16 at
// once and one at a time. Printed per binary, side by side with the ratio: CPU ms per update of the bot's process
// (/proc/<pid>/stat), the reply latency of /help in an idle chat, system calls per /help update and per flow
// update (perf trace -s),
// and the idle RSS. Exit status: 0 after a complete run (goals met or not), 1 when a result cannot be trusted,
// 64 for a bad command line.

let options = UpdateBenchOptions(CommandLine.arguments.dropFirst())
ChildProcessGuard.install()
UpdateReport.header(options)
var runs = [UpdateRun.Figures]()
do {
    for bot in options.bots {
        runs.append(try await UpdateRun.measure(bot, options: options))
    }
} catch {
    print("\nexchange-bot-update-bench FAILED: \(error)")
    exit(1)
}
UpdateReport.table(runs)
UpdateReport.goals(runs)
