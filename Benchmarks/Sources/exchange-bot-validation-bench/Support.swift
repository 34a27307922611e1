import Foundation

/// `--keys N --concurrency N --latency-ms N --rounds N`, with the figures as defaults.
struct ValidationBenchOptions {
    var keys = 1000
    var concurrency = 64
    var latencySeconds = 0.05
    var rounds = 3

    init(_ arguments: ArraySlice<String>) {
        var iterator = arguments.makeIterator()
        while let flag = iterator.next() {
            guard let value = iterator.next().flatMap(Double.init), value > 0 else {
                FileHandle.standardError.write(
                    Data(
                        "usage: exchange-bot-validation-bench [--keys N] [--concurrency N] [--latency-ms N] [--rounds N]\n"
                            .utf8
                    )
                )
                exit(64)
            }
            switch flag {
            case "--keys": keys = Int(value)
            case "--concurrency": concurrency = Int(value)
            case "--latency-ms": latencySeconds = value / 1000
            case "--rounds": rounds = Int(value)
            default:
                FileHandle.standardError.write(Data("unknown option \(flag)\n".utf8))
                exit(64)
            }
        }
    }
}

/// Resident memory of this process, from /proc (Linux).
enum ResidentMemory {
    static var currentMegabytes: Double { value("VmRSS") }
    static var peakMegabytes: Double { value("VmHWM") }

    private static func value(_ field: String) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") })
        else { return 0 }
        let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
        return kilobytes / 1024
    }
}
