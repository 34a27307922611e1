import ExchangeBotCore
import Foundation

/// The bot's conversation with one user, as a pure function: (state, event, now) → (new state, effects).
///
/// No I/O happens here, so every transition is tested without a network and the runner stays a thin loop that
/// performs effects and feeds answers back. Keys are only ever taken in a private chat; messages that carry a
/// credential are deleted at once; a draft left alone for ``idleTimeout`` after its first credential prompt loses
/// its credentials but keeps its exchange and label (`Continue`), and other questions start over.
public enum ConversationMachine {
    public static let idleTimeout: TimeInterval = 600
    /// Key cards per `/exchanges` page (a message each, a second apart in one chat); `More` brings the next page.
    public static let keysPerMessage = 10
    /// The languages of `locales/`, with their names in themselves (button captions).
    public static let languages: [(code: String, name: String)] = [("en", "English"), ("ru", "Русский")]

    public static func handle(_ event: ConversationEvent, state: inout ConversationState, now: Date)
        -> [ConversationEffect]
    {
        if case .expired = event {
            // Not activity, and not a reset: the step stays so that a late answer is still deleted as a credential.
            state.step.dropSecret()
            return []
        }
        if case .submissionStarted(let pending) = event {
            if isWaitingForService(state.step) { state.pendingSubmission = pending }
            return []
        }
        var effects = [ConversationEffect]()
        if idleClockRuns(state.step), now.timeIntervalSince(state.updatedAt) > idleTimeout {
            let timedOut = timeOut(event, &state.step)
            effects += timedOut.effects
            if timedOut.consumed {
                state.updatedAt = now
                return effects
            }
        }
        if case .submissionFinished(.failure(let error)) = event, case .checking(let exchange, _) = state.step,
            let pending = state.pendingSubmission,
            let recovered = recover(from: error, exchange: exchange, pending: pending, &state.step)
        {
            state.pendingSubmission = nil
            state.updatedAt = now
            return verdictReplacesChecking(withPlaceholders(recovered, step: state.step))
        }
        let before = state.step
        effects += transition(event, &state.step)
        if state.step != before || changesNothingButIsActivity(event) { state.updatedAt = now }
        // The submission is kept exactly as long as its check runs.
        if !isWaitingForService(state.step) { state.pendingSubmission = nil }
        effects = withPlaceholders(effects, step: state.step)
        if isVerdict(event), isWaitingForService(before) { effects = verdictReplacesChecking(effects) }
        return effects
    }

    // MARK: - Transitions

    private static func transition(_ event: ConversationEvent, _ step: inout ConversationState.Step)
        -> [ConversationEffect]
    {
        switch event {
        case .commandReceived(let command, .group):
            return groupCommand(command)
        case .commandReceived(let command, .privateChat):
            return privateCommand(command, &step)
        case .textReceived(_, _, .group):
            // Keys are never taken in a group; plain group chatter is not for us.
            return []
        case .textReceived(let text, let messageID, .privateChat):
            return privateText(text, messageID: messageID, &step)
        case .nonTextReceived(let messageID, let chat):
            return nonText(messageID: messageID, chat: chat, step)
        case .buttonPressed(let action, let queryID):
            return button(action, queryID: queryID, &step)
        case .keysListed(let keys):
            return keyPage(keys, from: 0, pressedPager: false)
        case .keysPageListed(let keys, let from):
            return keyPage(keys, from: from, pressedPager: true)
        case .submissionFinished(let result):
            return submissionFinished(result, &step)
        case .checkPassed(let key, let warnings):
            return submissionFinished(.success(key), &step).map { effect in
                guard case .send(var reply) = effect else { return effect }
                reply.lines += warnings.map { Reply.Text($0.rawValue) }
                return .send(reply)
            }
        case .actionFinished(let outcome):
            return keyActionFinished(outcome, &step)
        case .linkCodeReceived(let codeHash, let chat):
            return linkCodeReceived(codeHash, chat: chat, step)
        case .linkCodeLookedUp(let codeHash, let user):
            return linkCodeLookedUp(codeHash, user: user, &step)
        case .linkFinished(let outcome):
            return linkFinished(outcome)
        case .unlinkFinished(let outcome):
            return unlinkFinished(outcome)
        case .submissionStarted, .expired:
            return []
        }
    }

    private static func groupCommand(_ command: ConversationEvent.Command) -> [ConversationEffect] {
        switch command {
        case .add, .exchanges, .language, .unlink: [.send(Reply(.init("group.use_private_chat")))]
        case .start, .help: [.send(Reply(.init("help.group")))]
        case .cancel: []
        }
    }

    static func privateCommand(_ command: ConversationEvent.Command, _ step: inout ConversationState.Step)
        -> [ConversationEffect]
    {
        switch command {
        case .start: return [.send(startReply)]
        case .help: return [.send(Reply(.init("help")))]
        case .add:
            // One key at a time: the answer for the key being checked must reach the user first.
            guard !isWaitingForService(step) else { return [.send(Reply(.init("add.still_checking")))] }
            step = .choosingExchange
            return [.send(exchangeChoice)]
        case .exchanges:
            return [.listKeys]
        case .cancel:
            guard step != .idle else { return [.send(Reply(.init("cancel.nothing")))] }
            // The exchange already has the key: its answer decides, and the user hears it either way.
            guard !isWaitingForService(step) else { return [.send(Reply(.init("add.still_checking")))] }
            step = .idle
            return [.send(Reply(.init("cancel.done")))]
        case .language:
            return [.send(languageChoice)]
        case .unlink:
            return unlinkCommand(&step)
        }
    }

    private static func privateText(_ text: String, messageID: Int64, _ step: inout ConversationState.Step)
        -> [ConversationEffect]
    {
        switch step {
        case .idle, .confirmingDelete, .confirmingLink, .confirmingUnlink:
            // A key pasted where none is asked for is still a secret in the chat's history: deleted all the same.
            if CredentialShape(text).isCredential {
                return [.deleteMessage(messageID: messageID), .send(Reply(.init("input.key_outside_add")))]
            }
            return [.send(Reply(.init("hint.commands")))]
        case .choosingExchange:
            let deleted: [ConversationEffect] =
                CredentialShape(text).isCredential ? [.deleteMessage(messageID: messageID)] : []
            return deleted + [.send(Reply(.init("add.choose_first"))), .send(exchangeChoice)]
        case .checking:
            // Often the passphrase sent again: treat it as one.
            return [.deleteMessage(messageID: messageID), .send(Reply(.init("add.still_checking")))]
        case .checkFailed, .timedOut:
            return textWhileDraftWaits(text, messageID: messageID)
        case .awaitingLabel(var draft):
            if let refusal = refuseKeyAsLabel(text, messageID: messageID) { return refusal }
            do {
                draft.label = try KeyRules.label(text)
            } catch {
                return [.send(Reply(labelProblem(error), forceReply: true))]
            }
            step = .awaitingAPIKey(draft)
            return [.send(Reply(.init("add.ask_api_key", ["exchange": draft.exchange.displayName]), forceReply: true))]
        case .awaitingAPIKey(var draft):
            if let misplaced = misplacedAtAPIKey(text, messageID: messageID, draft: draft, &step) { return misplaced }
            let apiKey = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !apiKey.isEmpty, apiKey.utf8.count <= KeyRules.maxFieldLength,
                !apiKey.contains(where: { $0.isWhitespace })
            else {
                return [.deleteMessage(messageID: messageID), .send(Reply(.init("add.bad_api_key"), forceReply: true))]
            }
            draft.apiKey = apiKey
            step = .awaitingSecret(draft)
            let prompt = draft.exchange.secretIsPEM ? "add.ask_private_key" : "add.ask_secret"
            // Nothing of the value is echoed: users paste the secret here by mistake often enough, and even a
            // masked echo shows eight of its characters. The key is shown masked once the exchange has confirmed
            // it is the key.
            return [
                .deleteMessage(messageID: messageID),
                .send(Reply(.init(prompt, ["exchange": draft.exchange.displayName]), forceReply: true)),
            ]
        case .awaitingSecret(var draft):
            let misplaced = misplacedAtSecret(text, messageID: messageID, draft: draft)
            if let misplaced, misplaced.secret == nil { return misplaced.effects }
            draft.apiSecret = misplaced?.secret ?? SecretString(text)
            if draft.exchange.requiresPassphrase {
                step = .awaitingPassphrase(draft)
                return [
                    .deleteMessage(messageID: messageID),
                    .send(
                        Reply(.init("add.ask_passphrase", ["exchange": draft.exchange.displayName]), forceReply: true)
                    ),
                ]
            }
            return [.deleteMessage(messageID: messageID)] + submit(draft, passphrase: nil, &step)
        case .awaitingPassphrase(let draft):
            if let misplaced = misplacedAtPassphrase(text, messageID: messageID, draft: draft) { return misplaced }
            return [.deleteMessage(messageID: messageID)] + submit(draft, passphrase: SecretString(text), &step)
        }
    }

    private static func button(_ action: ButtonAction, queryID: String, _ step: inout ConversationState.Step)
        -> [ConversationEffect]
    {
        let stale: [ConversationEffect] = [.answerButton(queryID: queryID, alert: .init("button.stale"))]
        switch action {
        case .chooseExchange(let exchange):
            guard step == .choosingExchange else { return stale }
            step = .awaitingLabel(Draft(exchange: exchange))
            // The picker becomes the choice (its buttons go), and the guide comes with the label question.
            return [
                .answerButton(queryID: queryID, alert: nil),
                .editPressedMessage(Reply(.init("add.exchange_chosen", ["exchange": exchange.displayName]))),
                .send(ExchangeGuide.labelPrompt(exchange)),
            ]
        case .activate, .deactivate, .updateKeys, .delete, .confirmDelete, .cancelDelete, .moreKeys:
            return keyButton(action, queryID: queryID, &step)
        case .chooseLanguage(let code):
            return [
                .answerButton(queryID: queryID, alert: nil), .setLanguage(code), .send(Reply(.init("language.set"))),
            ]
        case .confirmLink, .cancelLink, .confirmUnlink, .cancelUnlink:
            return linkButton(action, queryID: queryID, &step)
        case .checkAgain, .reenterKey, .cancelDraft, .continueDraft:
            return draftButton(action, queryID: queryID, &step)
        case .startAdding:
            return [.answerButton(queryID: queryID, alert: nil)] + privateCommand(.add, &step)
        case .showKeys:
            return [.answerButton(queryID: queryID, alert: nil), .listKeys]
        }
    }

    // MARK: - Helpers

    /// Steps whose answer is an API key, secret or passphrase (the text is deleted whatever it turns out to be).
    public static func asksForCredential(_ step: ConversationState.Step) -> Bool {
        switch step {
        case .awaitingAPIKey, .awaitingSecret, .awaitingPassphrase: true
        case .idle, .choosingExchange, .awaitingLabel, .checking, .checkFailed, .timedOut, .confirmingDelete,
            .confirmingLink, .confirmingUnlink:
            false
        }
    }

    /// The messages the conversation would delete if it read `event`, for a message it will not read (its sender is
    /// over the inbound budget): going quiet must not leave on screen a credential the conversation would have
    /// deleted. The machine runs on a copy of the state, so nothing else of its answer happens.
    public static func deletions(ifRead event: ConversationEvent, state: ConversationState, now: Date) -> [Int64] {
        var copy = state
        return handle(event, state: &copy, now: now).compactMap { effect in
            if case .deleteMessage(let messageID) = effect { messageID } else { nil }
        }
    }

    private static func changesNothingButIsActivity(_ event: ConversationEvent) -> Bool {
        switch event {
        case .textReceived(_, _, .privateChat), .nonTextReceived(_, .privateChat), .commandReceived(_, .privateChat),
            .buttonPressed:
            true
        default: false
        }
    }
}

extension ConversationState.Step {
    /// Removes a draft's secret, keeping the step.
    fileprivate mutating func dropSecret() {
        switch self {
        case .awaitingSecret(var draft):
            draft.apiSecret = nil
            self = .awaitingSecret(draft)
        case .awaitingPassphrase(var draft):
            draft.apiSecret = nil
            self = .awaitingPassphrase(draft)
        case .checkFailed(var draft):
            // The step stays so that the next event meets the timeout (and its `Continue`), as for the others.
            draft.apiSecret = nil
            draft.passphrase = nil
            self = .checkFailed(draft)
        default:
            break
        }
    }
}
