import ExchangeBotCore
import Foundation

/// A key going to its exchange and the verdict coming back: the draft handed over as a submission, "Checking…" while
/// the check runs, and the verdict in its place.
extension ConversationMachine {
    static func submit(_ draft: Draft, passphrase: SecretString?, _ step: inout ConversationState.Step)
        -> [ConversationEffect]
    {
        guard let apiKey = draft.apiKey, let secret = draft.apiSecret else {
            step = .idle
            return [.send(Reply(.init("error.storage_failure")))]
        }
        let submission = KeySubmission(
            exchange: draft.keyID == nil ? draft.exchange.rawValue : "",
            label: draft.label ?? "",
            apiKey: apiKey,
            apiSecret: secret,
            passphrase: passphrase
        )
        step = .checking(exchange: draft.exchange, keyID: draft.keyID)
        return [
            .sendChecking(Reply(.init("add.checking", ["exchange": draft.exchange.displayName]))),
            .submit(submission, updating: draft.keyID),
        ]
    }

    static func submissionFinished(
        _ result: Result<ExchangeKey, ApprovalError>,
        _ step: inout ConversationState.Step
    ) -> [ConversationEffect] {
        guard case .checking(let exchange, _) = step else { return [] }
        step = .idle
        switch result {
        case .success(let key):
            // A check resumed after a crash may find its key decided already (see `CheckRunner`): the decision's
            // own notice tells which; this answer must not say the key still waits.
            return [
                .send(
                    Reply(
                        .init(
                            key.status == .pending ? "add.awaiting_approval" : "add.decided_already",
                            [
                                "exchange": exchangeName(key), "label": EchoBound.cut(key.label, to: EchoBound.label),
                                "key": key.maskedAPIKey,
                            ]
                        )
                    )
                )
            ]
        case .failure(let error):
            return [.send(Reply(errorText(error, exchange: exchange)))]
        }
    }

    // MARK: - While the check runs

    static func isVerdict(_ event: ConversationEvent) -> Bool {
        switch event {
        case .submissionFinished, .checkPassed: true
        default: false
        }
    }

    /// The verdict's first message takes the place of "Checking…"; a forced reply (the passphrase asked again)
    /// cannot be an edit, so then "Checking…" stays and the question follows it.
    static func verdictReplacesChecking(_ effects: [ConversationEffect]) -> [ConversationEffect] {
        var effects = effects
        for (index, effect) in effects.enumerated() {
            guard case .send(let reply) = effect else { continue }
            if !reply.forceReply { effects[index] = .replaceChecking(reply) }
            break
        }
        return effects
    }

    static func isWaitingForService(_ step: ConversationState.Step) -> Bool {
        if case .checking = step { return true }
        return false
    }
}
