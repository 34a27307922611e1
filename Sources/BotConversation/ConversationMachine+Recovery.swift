import ExchangeBotCore
import Foundation

/// Keeping a draft through what can go wrong: a refused check the user can fix, an idle timeout, a credential or a
/// file sent where something else was asked for. The user retypes only what was wrong.
extension ConversationMachine {
    typealias Step = ConversationState.Step

    // MARK: - A refused check

    /// The answer to a refused check that keeps the draft, or `nil` when nothing in the draft can fix it (a
    /// duplicate key, the check budget spent): then the draft goes, as before.
    ///
    /// A wrong passphrase or secret is asked for again, the rest kept; what is fixed on the exchange (IP whitelist,
    /// permissions) or passes by itself (the exchange was down) keeps every credential for `Check again`.
    static func recover(
        from error: ApprovalError,
        exchange: ExchangeID,
        pending: PendingSubmission,
        _ step: inout Step
    ) -> [ConversationEffect]? {
        let submission = pending.submission
        var draft = Draft(
            exchange: exchange,
            keyID: pending.updating,
            label: submission.label.isEmpty ? nil : submission.label,
            apiKey: submission.apiKey,
            apiSecret: submission.apiSecret,
            passphrase: submission.passphrase
        )
        let name = ["exchange": exchange.displayName]
        switch error {
        case .validationFailed(.invalidPassphrase), .passphraseRequired:
            draft.passphrase = nil
            step = .awaitingPassphrase(draft)
            return [.send(Reply(.init("add.retry_passphrase", name), forceReply: true))]
        case .validationFailed(.invalidSecret):
            draft.apiSecret = nil
            draft.passphrase = nil
            step = .awaitingSecret(draft)
            let key = exchange.secretIsPEM ? "add.retry_private_key" : "add.retry_secret"
            return [.send(Reply(.init(key, name), forceReply: true))]
        case .invalidInput(let field, let problem):
            let problemText = Reply(InputProblemText.text(field: field, problem: problem))
            switch field {
            case .apiKey:
                step = .awaitingAPIKey(draft.withoutCredentials)
                return [.send(problemText), .send(apiKeyPrompt(draft))]
            case .apiSecret:
                draft.apiSecret = nil
                draft.passphrase = nil
                step = .awaitingSecret(draft)
                return [.send(problemText), .send(secretPrompt(exchange))]
            case .passphrase:
                draft.passphrase = nil
                step = .awaitingPassphrase(draft)
                return [.send(problemText), .send(passphrasePrompt(exchange))]
            default:
                return nil
            }
        case .validationFailed(.sandboxUnavailable):
            return nil
        case .validationFailed, .storageFailure:
            step = .checkFailed(draft)
            return [.send(Reply(errorText(error, exchange: exchange), buttons: retryButtons))]
        default:
            return nil
        }
    }

    static let retryButtons: [[Reply.Button]] = [
        [.localized("button.check_again", .checkAgain), .localized("button.reenter_key", .reenterKey)],
        [.localized("button.cancel", .cancelDraft)],
    ]

    /// The buttons under a failed check or a timeout; any other state makes them stale.
    static func draftButton(_ action: ButtonAction, queryID: String, _ step: inout Step) -> [ConversationEffect] {
        let answered = ConversationEffect.answerButton(queryID: queryID, alert: nil)
        switch (action, step) {
        case (.checkAgain, .checkFailed(let draft)):
            // A check like any other: it counts against the user's key-check budget in the service.
            return [answered] + submit(draft, passphrase: draft.passphrase, &step)
        case (.reenterKey, .checkFailed(let draft)), (.reenterKey, .timedOut(let draft)),
            (.continueDraft, .timedOut(let draft)):
            step = .awaitingAPIKey(draft.withoutCredentials)
            return [answered, .send(apiKeyPrompt(draft))]
        case (.cancelDraft, .checkFailed), (.cancelDraft, .timedOut):
            step = .idle
            return [answered, .send(Reply(.init("cancel.done")))]
        default:
            return [.answerButton(queryID: queryID, alert: .init("button.stale"))]
        }
    }

    /// Text while a failed check's buttons or a timeout's `Continue` wait: a credential is deleted (the user may
    /// be pasting the fixed key), anything else points at the buttons.
    static func textWhileDraftWaits(_ text: String, messageID: Int64) -> [ConversationEffect] {
        if CredentialShape(text).isCredential {
            return [.deleteMessage(messageID: messageID), .send(Reply(.init("add.deleted_use_buttons")))]
        }
        return [.send(Reply(.init("add.use_buttons")))]
    }

    // MARK: - The idle clock

    /// Whether the idle clock runs: from the first credential prompt (choosing an exchange and naming the key hold
    /// nothing secret, and creating the key on the exchange takes a while), never while a check runs or after a
    /// timeout already kept the draft.
    static func idleClockRuns(_ step: Step) -> Bool {
        switch step {
        case .idle, .choosingExchange, .awaitingLabel, .checking, .timedOut: false
        case .awaitingAPIKey, .awaitingSecret, .awaitingPassphrase, .checkFailed, .confirmingDelete,
            .confirmingLink, .confirmingUnlink:
            true
        }
    }

    /// Times the step out before `event` is handled. A draft keeps its exchange and label and offers `Continue`;
    /// other steps start over. `consumed`: the event was the late answer itself and is handled here.
    static func timeOut(_ event: ConversationEvent, _ step: inout Step) -> (
        effects: [ConversationEffect], consumed: Bool
    ) {
        let wasAskingForCredential = asksForCredential(step)
        guard let draft = step.draft else {
            step = .idle
            if case .textReceived(_, _, .privateChat) = event {
                return ([.send(Reply(.init("conversation.timed_out")))], false)
            }
            return ([], false)
        }
        step = .timedOut(draft.withoutCredentials)
        let notice = ConversationEffect.send(
            Reply(
                .init("conversation.timed_out_draft", ["exchange": draft.exchange.displayName]),
                buttons: [[.localized("button.continue", .continueDraft), .localized("button.cancel", .cancelDraft)]]
            )
        )
        switch event {
        case .textReceived(let text, let messageID, .privateChat):
            // Creating a key on an exchange can take longer than the timeout: a late answer may be the secret.
            let delete = wasAskingForCredential || CredentialShape(text).isCredential
            return ((delete ? [.deleteMessage(messageID: messageID)] : []) + [notice], true)
        case .nonTextReceived(let messageID, .privateChat):
            return ([.deleteMessage(messageID: messageID), notice], true)
        default:
            return ([], false)
        }
    }

    // MARK: - Prompts

    static func apiKeyPrompt(_ draft: Draft) -> Reply {
        let key = draft.keyID == nil ? "add.ask_api_key" : "update.ask_api_key"
        return Reply(.init(key, ["exchange": draft.exchange.displayName]), forceReply: true)
    }

    static func secretPrompt(_ exchange: ExchangeID) -> Reply {
        let key = exchange.secretIsPEM ? "add.ask_private_key" : "add.ask_secret"
        return Reply(.init(key, ["exchange": exchange.displayName]), forceReply: true)
    }

    static func passphrasePrompt(_ exchange: ExchangeID) -> Reply {
        Reply(.init("add.ask_passphrase", ["exchange": exchange.displayName]), forceReply: true)
    }
}

extension ConversationState.Step {
    /// The draft of a step that holds one after the label: what a timeout keeps.
    var draft: Draft? {
        switch self {
        case .awaitingAPIKey(let draft), .awaitingSecret(let draft), .awaitingPassphrase(let draft),
            .checkFailed(let draft):
            draft
        default:
            nil
        }
    }
}
