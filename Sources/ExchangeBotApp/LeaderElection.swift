import ExchangeBotCore
import Logging
import ServiceLifecycle
import Synchronization

/// Runs the singleton jobs only while this instance holds the ``LeaderLease``: a follower tries to take it every
/// ``retryInterval``; a leader runs a fresh set of jobs (``jobs``) in a service group of their own and, the moment
/// the lease is lost, cancels them and is a follower again.
///
/// Demotion rather than exiting: the instance keeps serving REST, and the pool and HTTP clients it has stay good
/// (a lost lease is most often one dropped connection, not a sick process). A job that fails still fails the whole
/// process, as it does without the lease, so systemd restarts it. On graceful shutdown the jobs stop gracefully
/// (poller first, sender last) and the lease is released at once, so a follower takes over within its retry
/// interval instead of waiting for the server to notice a closed session.
public struct LeaderElection: Service {
    let lease: any LeaderLease
    let role: RoleState
    /// Builds the jobs of one term; called again at each promotion (a stopped sender cannot start again).
    let jobs: @Sendable () -> [any Service]
    /// Told, while this instance leads, of each addition another instance makes to a ``SharedQueue``.
    let onQueueChange: @Sendable (SharedQueue) -> Void
    let retryInterval: Duration
    let logger: Logger

    /// - Parameter retryInterval: How often a follower asks for the lease; a demoted leader waits twice as long.
    public init(
        lease: any LeaderLease,
        role: RoleState,
        retryInterval: Duration = .seconds(1),
        logger: Logger,
        onQueueChange: @escaping @Sendable (SharedQueue) -> Void,
        jobs: @escaping @Sendable () -> [any Service]
    ) {
        self.lease = lease
        self.role = role
        self.retryInterval = retryInterval
        self.logger = logger
        self.onQueueChange = onQueueChange
        self.jobs = jobs
    }

    public func run() async throws {
        do {
            try await elect()
        } catch {
            await lease.close()
            throw error
        }
        await lease.close()
    }

    private func elect() async throws {
        var failures = RepeatedFailure(loggedEvery: 60)
        var listenFailures = RepeatedFailure(loggedEvery: 30)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let held: (any HeldLease)?
            do {
                held = try await lease.tryAcquire()
                if failures.reset() { logger.notice("the leader lease can be asked for again") }
            } catch {
                if failures.count() {
                    logger.warning(
                        "could not ask for the leader lease; still a follower, retrying",
                        metadata: ["error": "\(Commands.describe(error))"]
                    )
                }
                held = nil
            }
            guard let held else {
                await pause()
                continue
            }
            // Before the jobs start, so nothing another instance queues after their first read goes unheard. A
            // failure here has closed the lease's connection (the lock went with it): the others go first next time.
            do {
                try await held.listen(onQueueChange)
                listenFailures.reset()
            } catch {
                if listenFailures.count() {
                    logger.warning(
                        "won the leader lease but could not listen for other instances' changes; gave it up, retrying",
                        metadata: ["error": "\(Commands.describe(error))", "attempts": "\(listenFailures.inARow)"]
                    )
                }
                await held.release()
                await pause(for: retryInterval * 2)
                continue
            }
            role.set(.leader)
            logger.notice("this instance is the leader now: it runs the Telegram bot, the senders and the monitors")
            let lost: String?
            do {
                lost = try await runTerm(holding: held)
            } catch {
                // A job failed: the process ends (see above); the lock goes with its connection, closed here.
                await held.release()
                throw error
            }
            await held.release()
            role.set(.follower)
            guard let lost else { return }
            logger.notice(
                "this instance lost the leader lease and stopped its singleton jobs; it is a follower now",
                metadata: ["reason": "\(lost)"]
            )
            // Whatever cost this instance the lease may cost it the next one: the others go first.
            await pause(for: retryInterval * 2)
        }
    }

    /// Runs one term's jobs until the lease is lost (its reason) or they end on shutdown (`nil`).
    private func runTerm(holding held: any HeldLease) async throws -> String? {
        try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask { [jobs, logger] in
                let services = jobs().map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) }
                try await ServiceGroup(configuration: .init(services: services, logger: logger)).run()
                return nil
            }
            group.addTask {
                let reason = await held.untilLost()
                return Task.isCancelled ? nil : reason
            }
            let first = try await group.next() ?? nil
            // Lost: cancelling the jobs' group cancels each job at once (the sender starts no further call).
            group.cancelAll()
            return first
        }
    }

    /// Waits (a retry interval unless told), ending early on graceful shutdown.
    private func pause(for duration: Duration? = nil) async {
        let wait = duration ?? retryInterval
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
    }
}

/// A failure that repeats at every retry, counted so that its warning is logged the first time and then every
/// `loggedEvery`-th, not at every attempt.
struct RepeatedFailure {
    let loggedEvery: Int
    private(set) var inARow = 0

    /// Counts one more failure; whether this one is to be logged.
    mutating func count() -> Bool {
        inARow += 1
        return inARow == 1 || inARow.isMultiple(of: loggedEvery)
    }

    /// A success: starts counting anew; whether it ends a run of failures.
    @discardableResult
    mutating func reset() -> Bool {
        defer { inARow = 0 }
        return inARow > 0
    }
}

/// This instance's current ``InstanceRole``, read by `/healthz`.
public final class RoleState: Sendable {
    private let value: Mutex<InstanceRole>

    public init(_ role: InstanceRole) {
        value = Mutex(role)
    }

    public var current: InstanceRole { value.withLock { $0 } }

    func set(_ role: InstanceRole) {
        value.withLock { $0 = role }
    }
}
