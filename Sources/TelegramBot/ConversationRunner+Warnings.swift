import BotConversation
import ExchangeBotCore

extension ConversationRunner {
    /// The machine's event for a check's verdict: a passed key with the warnings of its stored report (what admins
    /// see on its request), so the user hears them with "awaiting approval". A report that cannot be read costs
    /// only the warnings.
    func verdictEvent(_ result: CheckRunner.Verdict) async -> ConversationEvent {
        guard case .success(let key) = result,
            let request = try? await service.pendingRequest(keyID: key.id),
            let report = request.report
        else { return .submissionFinished(result) }
        return .checkPassed(key, warnings: KeyWarning.of(report))
    }
}
