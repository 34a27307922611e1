/// Thrown by ``BotStore/commit(_:)`` for a commit that gives a key check's verdict (``BotCommit/closesCheckOf``)
/// when the conversation no longer awaits one: another verdict came first (at a change of leader, the old leader's
/// check and the one the new leader resumed can both finish). The commit is rolled back whole, so its answer is not
/// queued a second time; the caller drops the verdict.
public struct CheckFinishedElsewhere: Error, Sendable, Equatable {
    public let telegramID: Int64

    public init(telegramID: Int64) {
        self.telegramID = telegramID
    }
}
