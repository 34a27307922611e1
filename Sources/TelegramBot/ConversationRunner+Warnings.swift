import BotConversation
import ExchangeBotCore

extension ConversationRunner {
    /// The machine's event for a check's verdict: a passed key with the warnings of its stored report (what admins
    /// see on its request), so the user hears them with "awaiting approval". A report that cannot be read costs
    /// only the warnings.
    func verdictEvent(_ result: CheckRunner.Verdict) async -> ConversationEvent {
        guard case .success(let key) = result,
            let requests = try? await service.pendingRequests(),
            let report = requests.first(where: { $0.key.id == key.id })?.report
        else { return .submissionFinished(result) }
        return .checkPassed(key, warnings: KeyWarning.of(report))
    }
}
