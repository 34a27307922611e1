/// How many operations ran in how long; both sides of every comparison report this.
struct Throughput: Sendable, Equatable {
    var operations: Int
    var seconds: Double

    var perSecond: Double { Double(operations) / seconds }

    /// Calls `step` in batches until `seconds` have passed.
    ///
    /// The clock is read once per batch, so its cost stays out of the per-call figure; the Python baseline uses
    /// the same batch size so both sides are timed alike.
    static func timeBoxed(seconds: Double, batch: Int = 256, _ step: () throws -> Void) rethrows -> Throughput {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start.advanced(by: .seconds(seconds))
        var operations = 0
        var now = start
        repeat {
            for _ in 0..<batch {
                try step()
            }
            operations += batch
            now = clock.now
        } while now < deadline
        return Throughput(operations: operations, seconds: (now - start).inSeconds)
    }

    /// Runs `work` once and returns how long it took along with its result.
    static func timed<Result>(_ work: () throws -> Result) rethrows -> (result: Result, seconds: Double) {
        let clock = ContinuousClock()
        let start = clock.now
        let result = try work()
        return (result, (clock.now - start).inSeconds)
    }
}

extension Duration {
    var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
