import BenchmarkDriver
import Foundation

// `exchange-bot-update-bench`: what one chat update costs the bot's own process. Each binary given with --bot runs
// as `exchange-bot run` in a process of its own against the fake Bot API and a fake Binance served by this
// process, and simulated users play the flow (/start, /add, the Binance button, label, key, secret), 16 at
// once and one at a time. Printed per binary, side by side with the ratio: CPU ms per update of the bot's process
// (its CPU clock, all threads), the reply latency of /help in an idle chat, system calls per /help update and per
// flow update (perf trace -s), and the idle RSS; with --rounds, each figure's median over interleaved runs. Exit
// status: 0 after a complete run (goals met or not), 1 when a result cannot be trusted, 64 for a bad command line.

let options = UpdateBenchOptions(CommandLine.arguments.dropFirst())
ChildProcessGuard.install()
UpdateReport.header(options)
var runs = [[UpdateRun.Figures]](repeating: [], count: options.bots.count)
do {
    var roundOptions = options
    for round in 0..<options.rounds {
        // Reversed every other round, so a drift of the machine's speed over the run weighs on every binary alike.
        let order = Array(options.bots.indices)
        if options.rounds > 1 { UpdateRun.progress("round \(round + 1) of \(options.rounds)") }
        for index in round.isMultiple(of: 2) ? order : order.reversed() {
            runs[index].append(try await UpdateRun.measure(options.bots[index], options: roundOptions))
        }
        roundOptions.syscallUpdates = 0
    }
} catch {
    print("\nexchange-bot-update-bench FAILED: \(error)")
    exit(1)
}
let summaries = runs.map(UpdateReport.Summary.init)
UpdateReport.table(summaries)
UpdateReport.goals(summaries)
