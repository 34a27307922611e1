import Foundation

/// The command line: which parts run (all three unless some are named) and their sizes, with the figures
/// as defaults.
struct TelegramBenchOptions {
    enum Part: String, CaseIterable {
        case flow, burst, idle
    }

    var parts: [Part] = []
    var users = 1000
    var concurrency = 64
    var notifications = 300
    /// How long `exchange-bot run` sits idle before its RSS is sampled.
    var idleSettleSeconds = 5.0
    var logLevel = "warning"

    static let usage = """
        usage: exchange-bot-telegram-bench [--flow] [--burst] [--idle] [--users N] [--concurrency N]
                                           [--notifications N] [--idle-settle S] [--log-level LEVEL]
          --flow / --burst / --idle   run only the named parts (default: all three)
          --users N                   simulated users in the /add flow (default 1000)
          --concurrency N             users in flight at once (default 64)
          --notifications N           approved keys in the notification burst (default 300)
          --idle-settle S             seconds exchange-bot idles before its RSS is sampled (default 5)
          --log-level LEVEL           the service's log level, to stderr (default warning)

        """

    init(_ arguments: ArraySlice<String>) {
        var iterator = arguments.makeIterator()
        func number(after flag: String) -> Double {
            guard let value = iterator.next().flatMap(Double.init), value > 0 else {
                Self.fail("\(flag) needs a positive number")
            }
            return value
        }
        while let flag = iterator.next() {
            switch flag {
            case "--flow", "--burst", "--idle":
                parts.append(Part(rawValue: String(flag.dropFirst(2)))!)
            case "--users": users = Int(number(after: flag))
            case "--concurrency": concurrency = Int(number(after: flag))
            case "--notifications": notifications = Int(number(after: flag))
            case "--idle-settle": idleSettleSeconds = number(after: flag)
            case "--log-level":
                let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
                guard let level = iterator.next(), levels.contains(level) else {
                    Self.fail("--log-level needs one of " + levels.joined(separator: ", "))
                }
                logLevel = level
            case "--help", "-h":
                print(Self.usage, terminator: "")
                exit(0)
            default:
                Self.fail("unknown option \(flag)")
            }
        }
        if parts.isEmpty { parts = Part.allCases }
        if users < 1 || concurrency < 1 || notifications < 1 { Self.fail("sizes must be at least 1") }
    }

    func runs(_ part: Part) -> Bool { parts.contains(part) }

    private static func fail(_ problem: String) -> Never {
        FileHandle.standardError.write(Data("exchange-bot-telegram-bench: \(problem)\n\(usage)".utf8))
        exit(64)
    }
}
