import Foundation
import TestSupport
import Testing

/// Failover time over repeated `kill -9`s of the leader (two instances, the killed one started again as a follower
/// each time): from the kill to the first `getUpdates` of the new leader, as the fake Bot API saw it. Slow, so not
/// part of the suite: `scripts/failover-benchmark.sh` runs it (`EXCHANGE_BOT_FAILOVER_KILLS` kills, 10 there) and
/// prints each time, the median and the maximum.
@Suite(
    .serialized,
    .enabled(if: ProcessInfo.processInfo.environment["EXCHANGE_BOT_FAILOVER_KILLS"] != nil, "a benchmark"),
    .enabled(if: ExchangeBotBinary.path != nil, "the exchange-bot binary is not built next to the tests"),
    .enabled(if: PostgresTestServer.isAvailable, "PostgreSQL is not installed")
)
struct FailoverBenchmark {
    @Test func failoverTimesOverRepeatedKills() async throws {
        let kills = Int(ProcessInfo.processInfo.environment["EXCHANGE_BOT_FAILOVER_KILLS"] ?? "") ?? 10
        let deployment = try await Deployment.make()
        let telegram = deployment.telegram
        var instances = [try await deployment.start("a")]
        #expect(await deployment.leader(among: instances) != nil)
        instances.append(try await deployment.start("b"))
        var times = [Double]()
        for round in 0..<kills {
            let leader = try #require(await deployment.leader(among: instances))
            #expect(await telegram.waitUntil(timeout: .seconds(30)) { telegram.isPolling })
            let survivor = try #require(instances.first { $0.name != leader.name })
            #expect(await survivor.role() == "follower")
            let user = FakeUser(id: 6_160_000_001 + Int64(round), firstName: "Round\(round)")
            let killedAt = Date()
            await leader.process.kill(SIGKILL)
            telegram.sendUserMessage(from: user, chat: .privateChat(with: user), text: "/start")
            let polled = await telegram.waitUntil(timeout: .seconds(30)) {
                deployment.firstPoll(by: survivor.name, after: killedAt) != nil
            }
            #expect(polled, "\(survivor.errors.suffix(1500))")
            if let time = deployment.firstPoll(by: survivor.name, after: killedAt) {
                times.append(time.timeIntervalSince(killedAt))
                print("kill \(round + 1): \(String(format: "%.2f", times.last!)) s")
            }
            #expect(await telegram.waitUntil(timeout: .seconds(30)) { !telegram.botMessages(in: user.id).isEmpty })
            instances = [survivor, try await deployment.start(leader.name)]
        }
        let sorted = times.sorted()
        if !sorted.isEmpty {
            let median =
                sorted.count.isMultiple(of: 2)
                ? (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2 : sorted[sorted.count / 2]
            print(
                "failover after kill -9 over \(sorted.count) kills: median \(String(format: "%.2f", median)) s, "
                    + "max \(String(format: "%.2f", sorted.last!)) s"
            )
            #expect(sorted.last! < 15)
        }
        for instance in instances { await instance.process.kill(SIGTERM) }
        await deployment.stop()
    }
}
