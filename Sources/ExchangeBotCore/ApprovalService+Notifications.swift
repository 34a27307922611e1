import Foundation

/// Getting key events to their owners and the admin group: at once after an action, and again for whatever a crash
/// or a notifier failure left in the outbox.
extension ApprovalService {
    /// Delivers events that a crash or a notifier failure left in the outbox. Returns how many went out. Rows that
    /// cannot be read are parked by the store and reported as ``ServiceProblem/outboxEventParked(outboxID:)``.
    @discardableResult
    public func deliverPendingEvents(limit: Int = 100) async -> Int {
        guard let batch = try? await store.undeliveredBatch(limit: limit, at: clock.now()) else { return 0 }
        for id in batch.parked { problems(.outboxEventParked(outboxID: id)) }
        var delivered = 0
        for event in batch.events where await deliver(event) {
            delivered += 1
        }
        return delivered
    }

    /// Hands one event to the notifier and marks it delivered; `false` (the notifier or the store failed) leaves it in
    /// the outbox for ``deliverPendingEvents(limit:)``.
    @discardableResult
    func deliver(_ event: KeyEvent) async -> Bool {
        do {
            try await notifier.deliver(event)
            try await store.markDelivered(outboxID: event.outboxID, at: clock.now())
            return true
        } catch {
            return false
        }
    }
}
