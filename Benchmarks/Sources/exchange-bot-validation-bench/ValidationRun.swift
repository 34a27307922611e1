import BenchmarkFakes
import ExchangeBotCore
import Foundation

/// Runs validations with at most `concurrency` in flight, timing each.
enum ValidationRun {
    struct Outcome: Sendable {
        let seconds: Double
        let succeeded: Bool
    }

    static func run(
        _ accounts: [(ExchangeID, FakeAccount)],
        concurrency: Int,
        _ validate: @escaping @Sendable (ExchangeID, FakeAccount) async -> Bool
    ) async -> [Outcome] {
        await withTaskGroup(of: Outcome.self) { group in
            var outcomes = [Outcome]()
            outcomes.reserveCapacity(accounts.count)
            var next = 0
            func launch() {
                let (exchange, account) = accounts[next]
                next += 1
                group.addTask {
                    let start = ContinuousClock.now
                    let succeeded = await validate(exchange, account)
                    return Outcome(seconds: (ContinuousClock.now - start).seconds, succeeded: succeeded)
                }
            }
            while next < min(concurrency, accounts.count) { launch() }
            while let outcome = await group.next() {
                outcomes.append(outcome)
                if next < accounts.count { launch() }
            }
            return outcomes
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
