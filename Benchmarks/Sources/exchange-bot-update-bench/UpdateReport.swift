import Foundation

/// The side-by-side table (one column per binary, then the ratio of the last to the first) and the goal lines.
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
                bot.engine == .postgres
                ? "PostgreSQL, a fresh database per run"
                    + (options.postgres?.postmasterPID == nil ? "" : "; PostgreSQL's CPU counted beside the bot's")
                : "SQLite, a fresh file per run"
            print("  \(bot.name): \(bot.path) (\(engine))")
        }
        print("")
    }

    static func table(_ runs: [UpdateRun.Figures]) {
        let names = runs.map(\.name)
        let ratioTitle = runs.count > 1 ? "\(names.last!)/\(names.first!)" : ""
        var rows: [(String, [Double], Int)] = [
            ("start to first poll, s", runs.map(\.startSeconds), 2),
            ("idle RSS, MB (largest of 10 samples)", runs.map(\.idleRSSMegabytes), 1),
            ("idle CPU, % of a core", runs.map(\.idleCPUPercent), 2),
        ]
        if let first = runs.first {
            rows.append(
                (
                    "CPU ms/update, \(first.concurrent.users) users \(concurrencyText(first)) (\(first.concurrent.updates) updates)",
                    runs.map(\.concurrent.cpuMillisecondsPerUpdate), 2
                )
            )
            rows.append(
                (
                    "CPU ms/update, 1 user at a time (\(first.serial.updates) updates)",
                    runs.map(\.serial.cpuMillisecondsPerUpdate), 2
                )
            )
            let databaseRows: [(String, KeyPath<UpdateRun.Figures, UpdateRun.Flow>)] = [
                ("\(first.concurrent.users) users \(concurrencyText(first))", \.concurrent),
                ("1 user at a time", \.serial),
            ]
            if runs.contains(where: { $0.engine == .postgres }) {
                for (label, flow) in databaseRows {
                    let database = runs.compactMap { $0[keyPath: flow].databaseMillisecondsPerUpdate }
                    guard database.count == runs.count else { continue }
                    rows.append(("  PostgreSQL's CPU ms/update, \(label)", database, 2))
                    rows.append(
                        (
                            "  bot + PostgreSQL CPU ms/update, \(label)",
                            zip(runs, database).map { $0[keyPath: flow].cpuMillisecondsPerUpdate + $1 }, 2
                        )
                    )
                }
            }
            rows.append(
                (
                    "CPU ms/update, /help one at a time (\(first.helpLatencies.count))",
                    runs.map(\.helpCPUMilliseconds), 2
                )
            )
            rows.append(("/help reply p50, ms (idle chat)", runs.map { percentile($0.helpLatencies, 0.5) * 1000 }, 1))
            rows.append(("/help reply p90, ms (idle chat)", runs.map { percentile($0.helpLatencies, 0.9) * 1000 }, 1))
            rows.append(
                ("flow reply p50, ms, 1 at a time", runs.map { percentile($0.serial.answerSeconds, 0.5) * 1000 }, 0)
            )
            rows.append(
                (
                    "flow updates/s, concurrent",
                    runs.map { Double($0.concurrent.updates) / $0.concurrent.wallSeconds }, 1
                )
            )
        }
        let counted = runs.compactMap(\.syscalls)
        if counted.count == runs.count, let first = runs.first {
            let updates = first.syscallUpdates
            rows.append(
                (
                    "syscalls/update, /help one at a time (perf trace, \(updates))",
                    counted.map { Double($0.total) / Double(updates) }, 1
                )
            )
            var names = [String]()
            for count in counted {
                for (name, _) in count.perUpdate(updates).prefix(8) where !names.contains(name) { names.append(name) }
            }
            for name in names {
                rows.append(("  \(name)", counted.map { Double($0.calls[name] ?? 0) / Double(updates) }, 1))
            }
        }
        let flows = runs.compactMap(\.flowSyscalls)
        if flows.count == runs.count, let first = flows.first {
            rows.append(
                (
                    "syscalls/update, flow \(runs[0].concurrent.concurrency) at once (\(first.updates))",
                    flows.map { Double($0.count.total) / Double($0.updates) }, 1
                )
            )
            var names = [String]()
            for flow in flows {
                for (name, _) in flow.count.perUpdate(flow.updates).prefix(8) where !names.contains(name) {
                    names.append(name)
                }
            }
            for name in names {
                rows.append(("  \(name)", flows.map { Double($0.count.calls[name] ?? 0) / Double($0.updates) }, 1))
            }
        }
        let width = max(52, (rows.map(\.0.count).max() ?? 0) + 1)
        print(pad("", width) + names.map { leftPad($0, 10) }.joined() + leftPad(ratioTitle, 14))
        for (title, values, digits) in rows {
            var line = pad(title, width) + values.map { leftPad(format($0, digits), 10) }.joined()
            if values.count > 1, let first = values.first, first > 0 {
                line += leftPad(format(values.last! / first, 2) + "x", 14)
            }
            print(line)
        }
    }

    static func goals(_ runs: [UpdateRun.Figures]) {
        guard let now = runs.last else { return }
        let before = runs.count > 1 ? runs.first : nil
        print("\ngoals (\(now.name)\(before.map { " against \($0.name)" } ?? ""))")
        func cost(_ label: String, _ flow: (UpdateRun.Figures) -> UpdateRun.Flow) {
            let value = flow(now).cpuMillisecondsPerUpdate
            var line = "cost per update, \(label): \(now.name) \(format(value, 2)) CPU ms"
            if let before {
                let old = flow(before).cpuMillisecondsPerUpdate
                // Against a cheaper baseline (the echo floor, say) the ratio reads the other way.
                let ratio = old >= value ? "\(format(old / value, 2))x less" : "\(format(value / old, 2))x more"
                line += ", \(before.name) \(format(old, 2)) CPU ms, \(ratio)"
            }
            print(line + " (goal <= \(format(costGoalMilliseconds, 1)) ms: \(met(value <= costGoalMilliseconds)))")
        }
        cost("\(now.concurrent.users) users \(concurrencyText(now))", \.concurrent)
        cost("1 user at a time", \.serial)
        let p50 = percentile(now.helpLatencies, 0.5) * 1000
        print(
            "reply latency p50, idle chat: \(now.name) \(format(p50, 1)) ms (goal < 60 ms: \(met(p50 < latencyGoalMilliseconds)))"
        )
        print(
            "idle RSS: \(now.name) \(format(now.idleRSSMegabytes, 1)) MB (goal < 40 MB: \(met(now.idleRSSMegabytes < rssGoalMegabytes)))"
        )
        if let counted = now.syscalls {
            var line =
                "syscalls per /help update: \(now.name) \(format(Double(counted.total) / Double(now.syscallUpdates), 1))"
            if let before, let old = before.syscalls {
                line += ", \(before.name) \(format(Double(old.total) / Double(before.syscallUpdates), 1))"
            }
            print(line + " (no goal set)")
        }
        if let flow = now.flowSyscalls {
            var line =
                "syscalls per flow update: \(now.name) \(format(Double(flow.count.total) / Double(flow.updates), 1))"
            if let before, let old = before.flowSyscalls {
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
