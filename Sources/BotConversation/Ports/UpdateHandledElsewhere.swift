/// Thrown by ``BotStore/commit(_:)`` when the update it would mark handled has already left the inbox: another
/// instance handled it (a leader that lost its lease a moment ago, or the one that took over). The commit is rolled
/// back whole, so nothing it held is queued a second time; the caller drops the update.
public struct UpdateHandledElsewhere: Error, Sendable, Equatable {
    public let updateID: Int64

    public init(updateID: Int64) {
        self.updateID = updateID
    }
}
