/// Rows waiting in each of the service's queues, for `/metrics` (each store counts its own tables).
public struct QueueDepths: Sendable, Equatable {
    /// Telegram updates received and not yet handled (parked ones excluded).
    public var inbox: Int
    /// Bot API calls queued and not yet finished.
    public var outgoing: Int
    /// Key events not yet delivered to the notification channels (parked ones excluded).
    public var eventOutbox: Int
    /// Emails neither sent nor given up.
    public var mailOutbox: Int

    public init(inbox: Int, outgoing: Int, eventOutbox: Int, mailOutbox: Int) {
        self.inbox = inbox
        self.outgoing = outgoing
        self.eventOutbox = eventOutbox
        self.mailOutbox = mailOutbox
    }
}
