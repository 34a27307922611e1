/// A queue that any instance may add to and only the leader works through. On PostgreSQL the statement that adds a
/// row also tells the leader (`NOTIFY`), so the leader's jobs wake at once instead of reading their queues on a
/// tick; on SQLite there is one instance, and its jobs are woken in-process.
public enum SharedQueue: String, Sendable {
    /// The bot's outgoing Telegram actions: a follower queues them for REST decisions and link notices.
    case outgoing
    /// The email outbox.
    case mail
    /// The webhook inbox: Telegram posts an update to whichever instance the proxy picks.
    case inbox
}
