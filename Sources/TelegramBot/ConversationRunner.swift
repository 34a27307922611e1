import BotConversation
import ExchangeBotCore
import Foundation
import Localization
import Logging
import TelegramAPIClient

/// Runs a user's conversation: feeds ``ConversationMachine`` an event and the answers to the effects it asks for,
/// then commits the new state and the messages it queued with the update's removal from the inbox, in one
/// transaction, and wakes the sender.
///
/// Effects that are safe to repeat (answering a button, deleting a credential message, reading the user's keys)
/// happen at once; messages are queued, so a crash before the commit handles the update again from the start and a
/// crash after it repeats nothing. A submitted key goes to the ``CheckRunner`` after the commit, and its verdict
/// comes back here (``finishCheck(telegramID:result:)``) on the chat's queue.
struct ConversationRunner: Sendable {
    let store: any BotStore
    let service: ApprovalService
    /// Links Telegram accounts to platform users; `nil`: linking is not offered.
    let linking: AccountLinking?
    let texts: BotTexts
    let calls: ImmediateCalls
    let checks: CheckRunner
    let signal: WakeSignal
    let logger: Logger
    let now: @Sendable () -> Date

    /// Runs the event `choose` makes of the user's current state (for `nil`: the command hint) and commits it as
    /// the handling of `update`. `user` is `nil` for a Telegram user no account knows (`TELEGRAM_SIGNUP=linked`):
    /// ``PrivateChat`` lets only events that need no account through then. `pressedMessageID` is the message whose
    /// button was pressed, which ``ConversationEffect/editPressedMessage(_:)`` edits.
    func run(
        _ update: HandledUpdate,
        from: TelegramAPIClient.User,
        user: ExchangeBotCore.User?,
        state stored: ConversationState?,
        pressedMessageID: Int64? = nil,
        choose: (ConversationState) -> ConversationEvent?
    ) async throws {
        let caller = Caller(telegram: from, userID: user?.id)
        var run = ConversationRun(
            chatID: from.id,
            user: user,
            caller: caller,
            language: texts.localizer.language(for: user?.languageCode ?? from.languageCode),
            state: stored ?? ConversationState(updatedAt: now())
        )
        run.updateID = update.updateID
        run.telegramUsername = from.username
        run.pressedMessageID = pressedMessageID
        if let event = choose(run.state) {
            try await advance(&run, with: event)
        } else {
            run.queue(Reply(.init("hint.commands")), texts: texts)
        }
        try await store.commit(
            update.commit(
                conversations: [from.id: run.state],
                outgoing: run.outgoing,
                language: run.chosenLanguage.map { (from.id, $0) }
            )
        )
        if !run.outgoing.isEmpty { signal.wake() }
        if run.startedCheck, let pending = run.state.pendingSubmission {
            await checks.start(telegramID: from.id, caller: caller, pending: pending, resumed: false) { verdict in
                await finishCheck(telegramID: from.id, result: verdict)
            }
        }
    }

    /// Finishes a check: the machine's answer to the exchange's verdict, committed with the cleared submission.
    /// Tried again if storage fails, like an update; if it still fails, the check runs again at the next start.
    func finishCheck(telegramID: Int64, result: CheckRunner.Verdict) async {
        let failure = await StorageRetry.run {
            // Never creates an account: the user may have been unlinked or deleted while the check ran, and the
            // verdict (a refusal, then) is all that is left to say.
            let (user, stored) = try await store.userAndConversation(
                telegramID: telegramID,
                username: nil,
                languageCode: nil,
                createUser: false,
                at: now()
            )
            guard let state = stored, let pending = state.pendingSubmission else { return }
            var run = ConversationRun(
                chatID: telegramID,
                user: user,
                caller: user.map { Caller(submitterOf: pending, user: $0) }
                    ?? Caller(telegramID: telegramID, displayName: pending.submitterName),
                language: texts.localizer.language(for: user?.languageCode),
                state: state
            )
            try await advance(&run, with: await verdictEvent(result))
            try await store.commit(
                BotCommit(conversations: [telegramID: run.state], outgoing: run.outgoing, closesCheckOf: telegramID)
            )
            signal.wake()
        }
        if failure is CheckFinishedElsewhere {
            logger.notice("a key check's verdict was given by another instance; this one is dropped")
        } else if let failure {
            logger.error(
                "a key check's outcome could not be stored; it will be checked again at the next start",
                metadata: ["error": "\(failure)"]
            )
        }
    }

    /// Feeds `event` and the answers to its effects through the machine.
    private func advance(_ run: inout ConversationRun, with first: ConversationEvent) async throws {
        var events = [first]
        while !events.isEmpty {
            let event = events.removeFirst()
            for effect in ConversationMachine.handle(event, state: &run.state, now: now()) {
                if let answer = try await perform(effect, in: &run) { events.append(answer) }
            }
        }
    }

    /// Performs one effect; the event that answers it, if any.
    private func perform(_ effect: ConversationEffect, in run: inout ConversationRun) async throws
        -> ConversationEvent?
    {
        switch effect {
        case .send(let reply):
            run.queue(reply, texts: texts)
        case .deleteMessage(let messageID):
            await calls.deleteCredentialMessage(chatID: run.chatID, messageID: messageID)
        case .answerButton(let queryID, let alert):
            let language = run.language
            await calls.answer(
                queryID,
                alert: alert.map { texts.localizer.plainText($0.key, $0.arguments, language: language) }
            )
        case .listKeys:
            guard let user = run.user else { return accountRequired(&run) }
            return .keysListed(try await service.keys(ofUser: user.id))
        case .listMoreKeys(let from):
            guard let user = run.user else { return accountRequired(&run) }
            return .keysPageListed(try await service.keys(ofUser: user.id), from: from)
        case .showKey(let keyID):
            guard let user = run.user else { return accountRequired(&run) }
            let key = try await service.keys(ofUser: user.id).first { $0.id == keyID }
            return .actionFinished(key.map { .shown($0) } ?? .failed(.keyNotFound))
        case .editPressedMessage(let reply):
            run.edit(reply, texts: texts)
        case .sendChecking(let reply):
            run.queue(reply, texts: texts, purpose: .checking)
        case .replaceChecking(let reply):
            run.replaceChecking(with: reply, texts: texts)
        case .setActive(let keyID, let active):
            guard let user = run.user else { return accountRequired(&run) }
            do {
                let key = try await service.setActive(keyID: keyID, userID: user.id, active: active, by: run.caller)
                return .actionFinished(.activeChanged(key))
            } catch {
                return .actionFinished(.failed(error))
            }
        case .deleteKey(let keyID):
            guard let user = run.user else { return accountRequired(&run) }
            do {
                // Read first: the answer names what was deleted, and where to delete it too.
                let key = try await service.keys(ofUser: user.id).first { $0.id == keyID }
                // A pending key's request in the admin group says so (the core's withdrawn event).
                try await service.deleteKey(keyID: keyID, userID: user.id, by: run.caller)
                return .actionFinished(key.map { .removed($0) } ?? .deleted(keyID: keyID))
            } catch .keyNotFound {
                // Gone already (a repeat of this very update after a crash, or the REST API): done.
                return .actionFinished(.deleted(keyID: keyID))
            } catch {
                return .actionFinished(.failed(error))
            }
        case .submit(let submission, let updating):
            // The machine waits for this key's answer: give it one, so the conversation does not stay checking.
            guard run.user != nil else { return .submissionFinished(.failure(.userNotFound)) }
            run.startedCheck = true
            return .submissionStarted(
                PendingSubmission(
                    submission: submission,
                    updating: updating,
                    submittedAt: now(),
                    submitterName: run.caller.displayName
                )
            )
        case .setLanguage(let code):
            run.chosenLanguage = code
            run.language = texts.localizer.language(for: code)
            let menu = CommandMenus.userCommands(language: run.language, localizer: texts.localizer)
            await calls.setMenu(inChat: run.chatID, to: menu)
        case .lookUpLinkCode(let codeHash):
            return .linkCodeLookedUp(codeHash: codeHash, user: try await linking?.user(forCode: codeHash))
        case .link(let codeHash):
            guard let linking else { return .linkFinished(.refused(.invalidCode)) }
            let outcome = try await linking.link(
                telegramID: run.chatID,
                telegramUsername: run.telegramUsername,
                codeHash: codeHash,
                by: run.caller
            )
            return .linkFinished(outcome)
        case .unlink:
            guard let linking else { return .unlinkFinished(.notLinked) }
            // Handled again after a crash between the unlink and this update's commit, the press finds the link
            // gone by its own first run: the user hears that it is gone, not that nothing was linked.
            // (The user it joined is not known any more; the answer does not name them.) The first run's unlink is
            // audited; the repeat's "not linked" is not audited as a refusal.
            var replay = false
            if let updateID = run.updateID { replay = try await store.beginOutsideEffect(updateID: updateID) }
            let outcome = try await linking.unlink(.telegram(run.chatID), by: run.caller, repeating: replay)
            if replay, outcome == .notLinked { return .unlinkFinished(.unlinked(userID: 0, telegramID: run.chatID)) }
            return .unlinkFinished(outcome)
        }
        return nil
    }

    /// An effect that needs an account, for a Telegram user without one: ``PrivateChat`` refuses such events
    /// before they reach the machine, so this is a safety net that tells the user how to link.
    private func accountRequired(_ run: inout ConversationRun) -> ConversationEvent? {
        run.queue(Reply(.init("link.required")), texts: texts)
        return nil
    }
}

/// One pass of the conversation for a user: its state and what it queued.
struct ConversationRun {
    let chatID: Int64
    let user: ExchangeBotCore.User?
    let caller: Caller
    /// The update this pass handles; `nil` for a check's verdict, which comes from no update.
    var updateID: Int64?
    var telegramUsername: String?
    /// The message whose button started this pass, if one did.
    var pressedMessageID: Int64?
    var language: String
    var state: ConversationState
    var outgoing = [QueuedAction]()
    var chosenLanguage: String?
    var startedCheck = false

    init(chatID: Int64, user: ExchangeBotCore.User?, caller: Caller, language: String, state: ConversationState) {
        self.chatID = chatID
        self.user = user
        self.caller = caller
        self.language = language
        self.state = state
    }

    mutating func queue(_ reply: Reply, texts: BotTexts, purpose: OutgoingMessage.Purpose = .plain) {
        outgoing += texts.messages(reply, to: .chat(chatID), language: language).map { message in
            var message = message
            message.purpose = purpose
            return QueuedAction(.send(message))
        }
    }

    /// Puts a check's verdict in place of its "Checking…" message; a verdict too long for one message edits in its
    /// first part and sends the rest (the buttons go on the last).
    mutating func replaceChecking(with reply: Reply, texts: BotTexts) {
        let messages = texts.messages(reply, to: .chat(chatID), language: language)
        outgoing += messages.enumerated().map { index, message in
            QueuedAction(index == 0 ? .replaceChecking(message) : .send(message))
        }
    }

    /// Edits the pressed message into `reply`; sends it when no button started this pass.
    mutating func edit(_ reply: Reply, texts: BotTexts) {
        guard let pressedMessageID else { return queue(reply, texts: texts) }
        outgoing.append(QueuedAction(texts.edit(pressedMessageID, into: reply, in: chatID, language: language)))
    }
}
