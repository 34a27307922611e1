import EmailNotifications
import ExchangeBotCore
import ExchangeBotStorage
import Logging
import PostgresStorage
import ServiceLifecycle
import TelegramBot

/// The jobs that must run once per database, whatever the number of instances: the Telegram bot's poller, sender
/// and event relay (which resumes key checks cut short), the health monitor, the outbox upkeep and the mail sender.
///
/// On SQLite (one instance per database) they simply run. On PostgreSQL they run under a ``LeaderElection``, on
/// the one instance that holds the leader lease, and are built anew for each term: a stopped sender or poller does
/// not start again. The long-lived signals that notifiers ring (a message or a mail queued) forward to the current
/// term's senders; what a follower queues (a REST decision, a link's mail, a webhook post) reaches the leader as a
/// notice on its lease's connection (``queueChangedElsewhere(_:)``).
struct SingletonJobs: Sendable {
    let bot: TelegramBot?
    let healthMonitor: HealthMonitor?
    let outboxMaintenance: OutboxMaintenance
    /// The mail sender of a term, given that term's signal; `nil` without mail.
    let makeMailSender: (@Sendable (WakeSignal) -> MailSender)?
    /// The signal the mail notifier rings.
    let mailSignal: WakeSignal

    /// One term's jobs, in start order (a graceful shutdown stops them in reverse).
    func make() -> [any Service] {
        var jobs = bot?.makeServices() ?? []
        if let healthMonitor { jobs.append(healthMonitor) }
        jobs.append(outboxMaintenance)
        if let makeMailSender {
            let termSignal = WakeSignal()
            mailSignal.forward(to: termSignal)
            jobs.append(makeMailSender(termSignal))
        }
        return jobs
    }

    /// Another instance added to a queue these jobs work through: wakes the job that works through it.
    func queueChangedElsewhere(_ queue: SharedQueue) {
        switch queue {
        case .outgoing, .inbox: bot?.queueChangedElsewhere(queue)
        case .mail: mailSignal.wake()
        }
    }

    /// The jobs as `run`'s services: themselves on SQLite, a ``LeaderElection`` over them on PostgreSQL.
    func services(lease: (any LeaderLease)?, role: RoleState, logger: Logger) -> [any Service] {
        guard let lease else { return make() }
        return [
            LeaderElection(lease: lease, role: role, logger: logger, onQueueChange: queueChangedElsewhere, jobs: make)
        ]
    }
}
