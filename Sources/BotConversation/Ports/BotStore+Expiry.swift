import Foundation

extension BotStore {
    /// Expires the conversations left alone past ``ConversationMachine/idleTimeout``: each goes through the machine
    /// (``ConversationEvent/expired``, which drops a draft's secret), and those it changed are written back unless
    /// their user moved them on meanwhile. The storage only stores; what expiring means is the machine's.
    public func expireIdleConversations(now: Date) async throws {
        let idleSince = now.addingTimeInterval(-ConversationMachine.idleTimeout)
        var expired = [Int64: ConversationState]()
        for (telegramID, state) in try await conversations(idleSince: idleSince) {
            var next = state
            _ = ConversationMachine.handle(.expired, state: &next, now: now)
            if next != state { expired[telegramID] = next }
        }
        guard !expired.isEmpty else { return }
        try await commit(BotCommit(conversations: expired, onlyIfIdleSince: idleSince))
    }
}
