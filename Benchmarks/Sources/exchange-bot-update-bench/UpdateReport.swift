import Foundation

/// The side-by-side table (one column per binary, then the ratio of the last to the first) and the goal lines; with
/// several rounds, each figure is the median of a binary's runs.
enum UpdateReport {
    static let costGoalMilliseconds = 1.6
    static let latencyGoalMilliseconds = 60.0
    static let rssGoalMegabytes = 40.0

    static func header(_ options: UpdateBenchOptions) {
        var load = "unknown"
        if let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) {
            load = text.split(separator: " ").prefix(3).joined(separator: " ")
        }
        print(
            "exchange-bot-update-bench: each binary runs as `exchange-bot run` in its own process (LOG_LEVEL=\(options.logLevel));"
        )
        print("the fake Bot API, the fake Binance and the simulated users run in this process.")
        print("cores: \(ProcessInfo.processInfo.activeProcessorCount), load average at start: \(load)")
        for bot in options.bots {
            let engine =
                bot.isEchoFloor
                ? "the echo floor: long polling and one answer per update, no database"
                : bot.engine == .postgres
                    ? "PostgreSQL, a fresh database per run"
                        + (options.postgres?.postmasterPID == nil ? "" : "; PostgreSQL's CPU counted beside the bot's")
                    : "SQLite, a fresh file per run"
            print("  \(bot.name): \(bot.path) (\(engine))")
        }
        print("")
    }

    /// One binary's runs: the table's figures are medians over them.
    struct Summary {
        let runs: [UpdateRun.Figures]
        var name: String { first.name }
        var first: UpdateRun.Figures { runs[0] }
        var engine: UpdateBenchOptions.Bot.Engine { first.engine }
        var isEchoFloor: Bool { UpdateBenchOptions.Bot.isEchoFloor(first.path) }

        init(_ runs: [UpdateRun.Figures]) {
            precondition(!runs.isEmpty, "a binary with no run")
            self.runs = runs
        }

        func median(_ figure: (UpdateRun.Figures) -> Double) -> Double {
            let values = runs.map(figure).sorted()
            let middle = values.count / 2
            return values.count.isMultiple(of: 2) ? (values[middle - 1] + values[middle]) / 2 : values[middle]
        }

        func lowest(_ figure: (UpdateRun.Figures) -> Double) -> Double { runs.map(figure).min() ?? .nan }
        func highest(_ figure: (UpdateRun.Figures) -> Double) -> Double { runs.map(figure).max() ?? .nan }

        /// Every round's samples together, sorted.
        func pooled(_ samples: (UpdateRun.Figures) -> [Double]) -> [Double] { runs.flatMap(samples).sorted() }
    }

    private struct Row {
        let title: String
        let values: [Double]
        let digits: Int
        var ratio = true
    }

    static func table(_ bots: [Summary]) {
        let names = bots.map(\.name)
        let rounds = bots.first?.runs.count ?? 1
        let ratioTitle = bots.count > 1 ? "\(names.last!)/\(names.first!)" : ""
        func medians(_ figure: (UpdateRun.Figures) -> Double) -> [Double] { bots.map { $0.median(figure) } }
        var rows = [
            Row(title: "start to first poll, s", values: medians(\.startSeconds), digits: 2),
            Row(title: "idle RSS, MB (largest of 10 samples)", values: medians(\.idleRSSMegabytes), digits: 1),
            Row(title: "idle CPU, % of a core", values: medians(\.idleCPUPercent), digits: 2),
        ]
        /// A CPU row, and with several rounds the lowest and highest round beside the median.
        func cpuRows(_ title: String, _ figure: (UpdateRun.Figures) -> Double) {
            rows.append(Row(title: title, values: medians(figure), digits: 2))
            guard rounds > 1 else { return }
            rows.append(
                Row(
                    title: "  lowest of \(rounds) rounds",
                    values: bots.map { $0.lowest(figure) },
                    digits: 2,
                    ratio: false
                )
            )
            rows.append(
                Row(
                    title: "  highest of \(rounds) rounds",
                    values: bots.map { $0.highest(figure) },
                    digits: 2,
                    ratio: false
                )
            )
        }
        if let first = bots.first?.first {
            cpuRows(
                "CPU ms/update, \(first.concurrent.users) users \(concurrencyText(first)) (\(first.concurrent.updates) updates)",
                \.concurrent.cpuMillisecondsPerUpdate
            )
            cpuRows(
                "CPU ms/update, 1 user at a time (\(first.serial.updates) updates)",
                \.serial.cpuMillisecondsPerUpdate
            )
            let databaseRows: [(String, KeyPath<UpdateRun.Figures, UpdateRun.Flow>)] = [
                ("\(first.concurrent.users) users \(concurrencyText(first))", \.concurrent),
                ("1 user at a time", \.serial),
            ]
            if bots.contains(where: { $0.engine == .postgres }) {
                for (label, flow) in databaseRows {
                    let counted = bots.allSatisfy { bot in
                        bot.runs.allSatisfy { $0[keyPath: flow].databaseMillisecondsPerUpdate != nil }
                    }
                    guard counted else { continue }
                    let database = medians { $0[keyPath: flow].databaseMillisecondsPerUpdate ?? .nan }
                    rows.append(Row(title: "  PostgreSQL's CPU ms/update, \(label)", values: database, digits: 2))
                    rows.append(
                        Row(
                            title: "  bot + PostgreSQL CPU ms/update, \(label)",
                            values: medians {
                                $0[keyPath: flow].cpuMillisecondsPerUpdate
                                    + ($0[keyPath: flow].databaseMillisecondsPerUpdate ?? .nan)
                            },
                            digits: 2
                        )
                    )
                }
            }
            cpuRows("CPU ms/update, /help one at a time (\(first.helpLatencies.count))", \.helpCPUMilliseconds)
            let latencies = bots.map { $0.pooled(\.helpLatencies) }
            let pooled = rounds > 1 ? ", \(rounds) rounds pooled" : ""
            rows.append(
                Row(
                    title: "/help reply p50, ms (idle chat\(pooled))",
                    values: latencies.map { percentile($0, 0.5) * 1000 },
                    digits: 1
                )
            )
            rows.append(
                Row(
                    title: "/help reply p90, ms (idle chat\(pooled))",
                    values: latencies.map { percentile($0, 0.9) * 1000 },
                    digits: 1
                )
            )
            rows.append(
                Row(
                    title: "flow reply p50, ms, 1 at a time",
                    values: bots.map { percentile($0.pooled(\.serial.answerSeconds), 0.5) * 1000 },
                    digits: 0
                )
            )
            rows.append(
                Row(
                    title: "flow updates/s, concurrent",
                    values: medians { Double($0.concurrent.updates) / $0.concurrent.wallSeconds },
                    digits: 1
                )
            )
        }
        // System calls are counted in the first round only.
        let firsts = bots.map(\.first)
        let counted = firsts.compactMap(\.syscalls)
        if counted.count == firsts.count, let first = firsts.first {
            let updates = first.syscallUpdates
            rows.append(
                Row(
                    title: "syscalls/update, /help one at a time (perf trace, \(updates))",
                    values: counted.map { Double($0.total) / Double(updates) },
                    digits: 1
                )
            )
            var names = [String]()
            for count in counted {
                for (name, _) in count.perUpdate(updates).prefix(8) where !names.contains(name) { names.append(name) }
            }
            for name in names {
                rows.append(
                    Row(
                        title: "  \(name)",
                        values: counted.map { Double($0.calls[name] ?? 0) / Double(updates) },
                        digits: 1
                    )
                )
            }
        }
        let flows = firsts.compactMap(\.flowSyscalls)
        if flows.count == firsts.count, let first = flows.first {
            rows.append(
                Row(
                    title: "syscalls/update, flow \(firsts[0].concurrent.concurrency) at once (\(first.updates))",
                    values: flows.map { Double($0.count.total) / Double($0.updates) },
                    digits: 1
                )
            )
            var names = [String]()
            for flow in flows {
                for (name, _) in flow.count.perUpdate(flow.updates).prefix(8) where !names.contains(name) {
                    names.append(name)
                }
            }
            for name in names {
                rows.append(
                    Row(
                        title: "  \(name)",
                        values: flows.map { Double($0.count.calls[name] ?? 0) / Double($0.updates) },
                        digits: 1
                    )
                )
            }
        }
        if rounds > 1 { print("medians of \(rounds) rounds; the order of the binaries reversed every other round") }
        let width = max(52, (rows.map(\.title.count).max() ?? 0) + 1)
        print(pad("", width) + names.map { leftPad($0, 10) }.joined() + leftPad(ratioTitle, 14))
        for row in rows {
            var line = pad(row.title, width) + row.values.map { leftPad(format($0, row.digits), 10) }.joined()
            if row.ratio, row.values.count > 1, let first = row.values.first, first > 0 {
                line += leftPad(format(row.values.last! / first, 2) + "x", 14)
            }
            print(line)
        }
    }

    /// The goals are the service's: judged on the last binary that is not the echo floor, against the first binary
    /// other than it (the floor, if that is all there is).
    static func goals(_ bots: [Summary]) {
        guard let nowIndex = bots.lastIndex(where: { !$0.isEchoFloor }) ?? bots.indices.last else { return }
        let now = bots[nowIndex]
        let before = bots.indices.first { $0 != nowIndex }.map { bots[$0] }
        print("\ngoals (\(now.name)\(before.map { " against \($0.name)" } ?? ""))")
        func cost(_ label: String, _ flow: KeyPath<UpdateRun.Figures, UpdateRun.Flow>) {
            let value = now.median { $0[keyPath: flow].cpuMillisecondsPerUpdate }
            var line = "cost per update, \(label): \(now.name) \(format(value, 2)) CPU ms"
            if let before {
                let old = before.median { $0[keyPath: flow].cpuMillisecondsPerUpdate }
                // Against a cheaper baseline (the echo floor, say) the ratio reads the other way.
                let ratio = old >= value ? "\(format(old / value, 2))x less" : "\(format(value / old, 2))x more"
                line += ", \(before.name) \(format(old, 2)) CPU ms, \(ratio)"
            }
            print(line + " (goal <= \(format(costGoalMilliseconds, 1)) ms: \(met(value <= costGoalMilliseconds)))")
        }
        cost("\(now.first.concurrent.users) users \(concurrencyText(now.first))", \.concurrent)
        cost("1 user at a time", \.serial)
        let p50 = percentile(now.pooled(\.helpLatencies), 0.5) * 1000
        print(
            "reply latency p50, idle chat: \(now.name) \(format(p50, 1)) ms (goal < 60 ms: \(met(p50 < latencyGoalMilliseconds)))"
        )
        let rss = now.median(\.idleRSSMegabytes)
        print("idle RSS: \(now.name) \(format(rss, 1)) MB (goal < 40 MB: \(met(rss < rssGoalMegabytes)))")
        if let counted = now.first.syscalls {
            var line =
                "syscalls per /help update: \(now.name) \(format(Double(counted.total) / Double(now.first.syscallUpdates), 1))"
            if let before, let old = before.first.syscalls {
                line += ", \(before.name) \(format(Double(old.total) / Double(before.first.syscallUpdates), 1))"
            }
            print(line + " (no goal set)")
        }
        if let flow = now.first.flowSyscalls {
            var line =
                "syscalls per flow update: \(now.name) \(format(Double(flow.count.total) / Double(flow.updates), 1))"
            if let before, let old = before.first.flowSyscalls {
                line += ", \(before.name) \(format(Double(old.count.total) / Double(old.updates), 1))"
            }
            print(line + " (no goal set)")
        }
    }

    private static func concurrencyText(_ run: UpdateRun.Figures) -> String {
        "\(run.concurrent.concurrency) at once"
    }

    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
    }

    private static func met(_ condition: Bool) -> String { condition ? "met" : "not met" }
    private static func format(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
    private static func leftPad(_ text: String, _ width: Int) -> String {
        text.count >= width ? " " + text : String(repeating: " ", count: width - text.count) + text
    }
}
