import ExchangeBotCore
import Foundation

/// How instances tell the leader that they added to a ``SharedQueue``: PostgreSQL's `NOTIFY` on one channel, with
/// the queue and the sending instance as payload (`"outgoing 9f…"`).
///
/// The store sends it from the statement that adds the row, only when a row was added, and PostgreSQL delivers it
/// when that transaction commits (never for one rolled back). The leader skips its own instance's notices: its jobs
/// are woken in-process already, and a second wake would cost a second read of the queue per update.
public struct SharedQueueNotices: Sendable {
    /// The channel every instance of this product notifies and the leader listens on.
    public static let channel = "exchange_bot_queues"
    /// This pool's token: random, so two instances (or two pools in one test process) never take each other's
    /// notices for their own.
    public let instance: String

    public init() {
        instance = UUID().uuidString
    }

    /// The payload that says this instance added to `queue`.
    public func payload(for queue: SharedQueue) -> String {
        "\(queue.rawValue) \(instance)"
    }

    /// The queue another instance says it added to; `nil` for this instance's own notice and for a payload this
    /// version does not know (a newer version's queue): the rescan finds what such a notice was about.
    public func queue(in payload: String) -> SharedQueue? {
        let parts = payload.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[1] != instance else { return nil }
        return SharedQueue(rawValue: String(parts[0]))
    }
}
