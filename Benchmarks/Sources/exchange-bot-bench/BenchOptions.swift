/// The command line, parsed by hand: four flags do not justify a dependency on ArgumentParser.
struct BenchOptions {
    /// Stored secrets to rotate; 100,000 is the size the rotation goal is stated for.
    var rows = 100_000
    /// Length of each time-boxed Fernet measurement, long enough to average out scheduler noise.
    var seconds = 2.0
    /// The Python interpreter; `nil` looks for `python3` on `PATH`.
    var python: String?
    /// The baseline script; `nil` looks in the usual places (see `PythonBaseline.locateScript`).
    var baselineScript: String?
    var showHelp = false

    static let usage = """
        usage: exchange-bot-bench [--rows N] [--seconds S] [--python PATH] [--baseline-script PATH]

          --rows N                  stored secrets to rotate (default 100000)
          --seconds S               length of each Fernet throughput measurement (default 2)
          --python PATH             Python interpreter for the baseline (default: python3 on PATH)
          --baseline-script PATH    the baseline script (default: Benchmarks/fernet_baseline.py)
          -h, --help                show this text
        """

    struct UsageError: Error, CustomStringConvertible {
        let description: String
    }

    /// Parses the arguments after the program name.
    static func parse(_ arguments: some Sequence<String>) throws(UsageError) -> BenchOptions {
        var options = BenchOptions()
        var remaining = arguments.makeIterator()
        while let argument = remaining.next() {
            // Accept both `--flag value` and `--flag=value`.
            let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
            let flag = parts[0]
            func value() throws(UsageError) -> String {
                if parts.count == 2 { return parts[1] }
                guard let next = remaining.next() else { throw UsageError(description: "\(flag) needs a value") }
                return next
            }
            switch flag {
            case "--rows":
                let text = try value()
                guard let rows = Int(text), rows > 0 else {
                    throw UsageError(description: "--rows must be a positive integer, not \(text)")
                }
                options.rows = rows
            case "--seconds":
                let text = try value()
                guard let seconds = Double(text), seconds > 0, seconds.isFinite else {
                    throw UsageError(description: "--seconds must be a positive number, not \(text)")
                }
                options.seconds = seconds
            case "--python":
                options.python = try value()
            case "--baseline-script":
                options.baselineScript = try value()
            case "-h", "--help":
                options.showHelp = true
            default:
                throw UsageError(description: "unknown argument \(argument)")
            }
        }
        return options
    }
}
