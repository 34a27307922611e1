import Foundation

/// The outbox's housekeeping, beside delivery (``ExchangeStore/undeliveredBatch(limit:at:)``): what a store does so
/// that the outbox stays small and holds no clear text.
public protocol OutboxUpkeep: Sendable {
    /// Puts parked events that the configured master keys now open back in the queue; how many.
    func unparkReadableOutboxRows() async throws -> Int
    /// Seals events an earlier version stored in clear; how many. (A store that never held any returns 0.)
    func sealLegacyOutboxRows() async throws -> Int
    /// Deletes delivered and parked events older than `date`; how many.
    func pruneOutbox(before date: Date) async throws -> Int
}
