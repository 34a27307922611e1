import BenchmarkDriver
import Foundation
import TelegramAPIClient

/// What the bench prints: a header, one table per part, then one line per goal in a fixed form that scripts can
/// grep (`…(goal …: met)` / `not met` / `not checked`). Progress goes to stderr so stdout stays the report.
enum Report {
    static func progress(_ text: String) {
        FileHandle.standardError.write(Data("[telegram-bench] \(text)\n".utf8))
    }

    static func header(_ options: TelegramBenchOptions) {
        #if DEBUG
        let build = "DEBUG build: figures are not comparable; build with -c release"
        #else
        let build = "release build"
        #endif
        print("exchange-bot-telegram-bench (\(build)): \(options.parts.map(\.rawValue).joined(separator: ", "))")
        if options.runs(.flow) {
            print(
                "  flow:  \(options.users) users through /start and /add (OKX), \(options.concurrency) at a time; "
                    + "baseline: an echo bot (getUpdates + one sendMessage per update) on the same fake, client "
                    + "and users"
            )
        }
        if options.runs(.burst) {
            print(
                "  burst: \(options.notifications) approval notices to distinct users, fake enforcing 30/s overall "
                    + "and 1/s per chat; baseline: the floor N/30 s"
            )
        }
        if options.runs(.idle) {
            print("  idle:  RSS of `exchange-bot run` (bot + REST API) idling; goal under 40 MB")
        }
        if options.runs(.flow) || options.runs(.burst) {
            print("  The fakes run in this process: their CPU time and memory are inside the flow and burst figures.")
        }
    }

    /// Pads to `width` characters (`%-19@` is not portable for Swift strings).
    static func padded(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }

    // MARK: - Flow

    static func flow(echo: FlowBenchmark.Figures, bot: FlowBenchmark.Figures, options: TelegramBenchOptions) -> [String]
    {
        print(
            "\n== flow: \(bot.updates) updates (\(options.users) users x \(bot.updates / options.users)), "
                + "\(options.concurrency) users at a time"
        )
        let limits = FlowBenchmark.sendLimits
        print(
            "   rate limits off: the fake does not enforce them and the bot's limiter allows "
                + "\(limits.privateChat.limit)/s per chat and \(limits.global.limit)/s overall; fake OKX answers at once"
        )
        print("side                 updates/s  CPU s/1000 upd  peak RSS MB  user p50 s  user p99 s  wall s")
        for side in [echo, bot] {
            print(
                padded(side.name, 19)
                    + String(
                        format: "  %9.0f  %14.3f  ",
                        side.updatesPerSecond,
                        side.cpuPerThousand
                    )
                    + padded(side.peakMegabytes.map { String(format: "%.1f", $0) } ?? "n/a", 11, right: true)
                    + String(
                        format: "  %10.3f  %10.3f  %6.2f",
                        side.userPercentile(0.5),
                        side.userPercentile(0.99),
                        side.wallSeconds
                    )
            )
        }
        let throughputRatio = bot.updatesPerSecond / echo.updatesPerSecond
        let cpuRatio = bot.cpuPerThousand / echo.cpuPerThousand
        print(padded("bot / echo", 19) + String(format: "  %8.2fx  %13.2fx", throughputRatio, cpuRatio))
        if let backlog = bot.backlog {
            print(
                String(
                    format:
                        "   after the last user's answer, exchange-bot took %.2f s (%.2f CPU s) more to post the rest of "
                        + "the admin group's requests",
                    backlog.seconds,
                    backlog.cpuSeconds
                )
            )
        }
        print("   checked: each user got \"awaiting approval\" once; \(options.users) PENDING rows in user_exchanges;")
        print("   a request card per key in the admin group, or past 20 a minute the flood notice;")
        print("   every button press answered")
        return [
            String(
                format:
                    "flow throughput: exchange-bot %.0f updates/s, echo %.0f updates/s, ratio %.2fx (no goal set)",
                bot.updatesPerSecond,
                echo.updatesPerSecond,
                throughputRatio
            ),
            String(
                format:
                    "flow CPU: exchange-bot %.3f s per 1000 updates, echo %.3f s, ratio %.2fx; peak RSS %@ MB "
                    + "(no goal set)",
                bot.cpuPerThousand,
                echo.cpuPerThousand,
                cpuRatio,
                bot.peakMegabytes.map { String(format: "%.1f", $0) } ?? "n/a"
            ),
        ]
    }

    // MARK: - Burst

    static func burst(_ figures: BurstBenchmark.Figures) -> [String] {
        print(
            "\n== burst: \(figures.notifications) approval notices waiting in the outbox; fake enforces 30/s overall "
                + "and 1/s per chat;"
        )
        let limits = figures.limits
        let pacing = limits.pacing.map { String(format: ", paced at one send per %.1f ms (%.1f/s)", $0 * 1000, 1 / $0) }
        print(
            String(
                format: "   bot with its default send limits (%d/s overall, margin %.0f ms",
                limits.global.limit,
                limits.margin * 1000
            )
                + (pacing ?? "") + "); event sweep every 0.2 s"
        )
        print(String(format: "runtime start -> first notice  %7.2f s", figures.firstSeconds))
        print(
            String(
                format: "runtime start -> last notice   %7.2f s   floor %.2f s (N/30): %.1f%% of floor",
                figures.totalSeconds,
                figures.floorSeconds,
                figures.totalSeconds / figures.floorSeconds * 100
            )
        )
        print(
            String(
                format: "first -> last notice           %7.2f s   true floor %.2f s ((N-30)/30)",
                figures.spanSeconds,
                figures.spanFloorSeconds
            )
                + (figures.pacedSeconds.map { String(format: "; the bot's pacing alone: %.2f s", $0) } ?? "")
        )
        print(
            "429 answers                    \(figures.tooManyRequests)   (sendMessage calls to users: \(figures.sendAttempts))"
        )
        print("notices in each second         " + figures.perSecond.map(String.init).joined(separator: " "))
        print(String(format: "CPU (bot and fake)             %7.2f s", figures.cpuSeconds))
        print("   checked: each user got exactly one message, and it says \"approved\"")
        let timeMet = figures.totalSeconds <= figures.floorSeconds * 1.1
        return [
            String(
                format: "burst time: %.2f s, floor %.2f s, %.1f%% of floor (goal within 10%%: %@)",
                figures.totalSeconds,
                figures.floorSeconds,
                figures.totalSeconds / figures.floorSeconds * 100,
                timeMet ? "met" : "not met"
            ),
            "burst 429s: \(figures.tooManyRequests) (goal 0: \(figures.tooManyRequests == 0 ? "met" : "not met"))",
        ]
    }

    // MARK: - Idle

    static func idle(_ outcome: IdleRSS.Outcome, settleSeconds: Double) -> [String] {
        print("\n== idle: exchange-bot run (bot polling the fake, REST API listening), no traffic")
        switch outcome {
        case .skipped(let reason):
            print("   skipped: \(reason)")
            return ["idle RSS: not measured (goal < 40 MB: not checked)"]
        case .measured(let figures):
            print(String(format: "ready after                    %7.2f s", figures.startSeconds))
            print(
                String(
                    format: "RSS, largest of %2d samples     %7.1f MB  (after %.0f s idle, over %.1f s)",
                    figures.samples,
                    figures.rssMegabytes,
                    settleSeconds,
                    figures.samplingSeconds
                )
            )
            print(String(format: "peak RSS since start (VmHWM)   %7.1f MB", figures.peakMegabytes))
            print(String(format: "CPU while idle                 %7.2f %% of a core", figures.idleCPUPercent))
            print("   checked: exit status 0 after SIGTERM")
            let met = figures.rssMegabytes < IdleRSS.goalMegabytes
            return [
                String(
                    format: "idle RSS: %.1f MB (goal < %.0f MB: %@)",
                    figures.rssMegabytes,
                    IdleRSS.goalMegabytes,
                    met ? "met" : "not met"
                )
            ]
        }
    }
}
