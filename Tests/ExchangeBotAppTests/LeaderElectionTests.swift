import ExchangeBotApp
import ExchangeBotCore
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// The election loop with a lease the test controls: jobs run only while the lease is held, are cancelled the
/// moment it is lost, run fresh when it is won back, and stop gracefully (the lease released) on shutdown.
@Suite struct LeaderElectionTests {
    /// A lease that is free unless held, and that the test can take away from its holder.
    final class ControlledLease: LeaderLease, @unchecked Sendable {
        struct State {
            var held = false
            var lose: CheckedContinuation<Void, Never>?
            var lost = false
            var releases = 0
            var closed = false
            var attempts = 0
        }
        let state = Mutex(State())

        func tryAcquire() async throws -> (any HeldLease)? {
            let granted = state.withLock { state -> Bool in
                state.attempts += 1
                guard !state.held else { return false }
                state.held = true
                state.lost = false
                return true
            }
            return granted ? Held(lease: self) : nil
        }

        func close() async { state.withLock { $0.closed = true } }

        /// Takes the lease from its holder, as a killed session would.
        func takeAway() {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.lost = true
                defer { state.lose = nil }
                return state.lose
            }
            waiter?.resume()
        }

        struct Held: HeldLease {
            let lease: ControlledLease

            func untilLost() async -> String {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        let now = lease.state.withLock { state -> Bool in
                            if state.lost || Task.isCancelled { return true }
                            state.lose = continuation
                            return false
                        }
                        if now { continuation.resume() }
                    }
                } onCancel: {
                    let waiter = lease.state.withLock { state in
                        defer { state.lose = nil }
                        return state.lose
                    }
                    waiter?.resume()
                }
                return "taken away"
            }

            func listen(_ onChange: @escaping @Sendable (SharedQueue) -> Void) async throws {}

            func release() async {
                lease.state.withLock {
                    $0.held = false
                    $0.releases += 1
                }
            }
        }
    }

    /// What the jobs did, in order.
    final class Events: Sendable {
        private let list = Mutex<[String]>([])
        func append(_ event: String) { list.withLock { $0.append(event) } }
        var all: [String] { list.withLock { $0 } }
    }

    /// A job that records how each of its runs ended.
    struct RecordingJob: Service {
        let term: Int
        let events: Events

        func run() async throws {
            events.append("start \(term)")
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(3600)) }
            } catch {}
            // A lost lease cancels the term's jobs (which may also see a graceful shutdown begin); a shutdown of
            // the process stops them gracefully, uncancelled.
            let how = Task.isCancelled ? "cancelled" : "stopped"
            events.append("\(how) \(term)")
        }
    }

    func waitUntil(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<500 {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    @Test func jobsRunOnlyUnderTheLeaseAndAFreshSetRunsEachTerm() async throws {
        let lease = ControlledLease()
        let role = RoleState(.follower)
        let events = Events()
        let terms = Mutex(0)
        let election = LeaderElection(
            lease: lease,
            role: role,
            retryInterval: .milliseconds(20),
            logger: Logger(label: "election-tests"),
            onQueueChange: { _ in }
        ) {
            let term = terms.withLock { value -> Int in
                value += 1
                return value
            }
            return [RecordingJob(term: term, events: events)]
        }
        let group = ServiceGroup(services: [election], logger: Logger(label: "election-tests"))
        let running = Task { try await group.run() }

        #expect(await waitUntil { events.all == ["start 1"] })
        #expect(role.current == .leader)
        lease.takeAway()
        #expect(await waitUntil { events.all.contains("cancelled 1") })
        #expect(await waitUntil { lease.state.withLock { $0.releases } == 1 })
        // A follower again, then the lease is free and won back: a second, fresh set of jobs.
        #expect(await waitUntil { events.all.contains("start 2") })
        #expect(role.current == .leader)
        #expect(events.all == ["start 1", "cancelled 1", "start 2"])

        await group.triggerGracefulShutdown()
        try await running.value
        #expect(events.all == ["start 1", "cancelled 1", "start 2", "stopped 2"])
        #expect(role.current == .follower)
        #expect(lease.state.withLock { $0.releases } == 2, "released on shutdown, so a follower takes over at once")
        #expect(lease.state.withLock { $0.closed })
    }

    @Test func aFollowerWaitsWhileAnotherHoldsTheLeaseAndStopsAtOnceOnShutdown() async throws {
        let lease = ControlledLease()
        let other = try #require(try await lease.tryAcquire())
        let role = RoleState(.follower)
        let started = Mutex(0)
        let election = LeaderElection(
            lease: lease,
            role: role,
            retryInterval: .milliseconds(20),
            logger: Logger(label: "election-tests"),
            onQueueChange: { _ in }
        ) {
            started.withLock { $0 += 1 }
            return []
        }
        let group = ServiceGroup(services: [election], logger: Logger(label: "election-tests"))
        let running = Task { try await group.run() }
        #expect(await waitUntil { lease.state.withLock { $0.attempts } >= 5 }, "it keeps asking")
        #expect(started.withLock { $0 } == 0)
        #expect(role.current == .follower)
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(started.withLock { $0 } == 0)
        await other.release()
    }
}
