import BotConversation
import ExchangeBotCore
import Foundation
import Logging
import TelegramBotAPI

/// Handles one update: finds whose it is, runs the conversation or the admin desk, and commits what changed
/// together with the update's removal from the inbox.
///
/// Calls that are safe to repeat (answering a button, deleting a credential message, reading the user's keys)
/// happen at once; messages are queued for the ``OutgoingSender`` in the commit, so a crash before the commit
/// handles the update again from the start and a crash after it repeats nothing.
struct UpdateHandler: Sendable {
    let client: TelegramClient
    let store: any BotStore
    let service: ApprovalService
    let texts: BotTexts
    let admins: AdminDirectory
    let sender: OutgoingSender
    let checks: CheckRunner
    let logger: Logger
    let now: @Sendable () -> Date
    /// The bot's `@username` (from `getMe`), to tell `/add@thisbot` from `/add@otherbot` in groups.
    let botUsername: String?

    /// Handles the update, trying again a few times if storage fails (the database busy, the disk full for a
    /// moment): the chat's next updates wait meanwhile, so they stay in order. An update that still fails is parked
    /// (see ``BotStore/park(updateID:at:)``): handled at the next start, it would come after newer updates of its
    /// chat, out of order and stale. Cut short by shutdown, it stays in the inbox for the next start instead.
    func handle(_ update: Update) async {
        for attempt in 1...Self.attempts {
            do {
                try await route(update)
                return
            } catch {
                if Task.isCancelled {
                    logger.notice(
                        "an update cut short by shutdown stays queued",
                        metadata: ["update": "\(update.updateID)"]
                    )
                    return
                }
                guard attempt < Self.attempts else {
                    await park(update, error: error)
                    return
                }
                try? await Task.sleep(for: .milliseconds(200 << attempt))
            }
        }
    }

    static let attempts = 3

    private func route(_ update: Update) async throws {
        let adminChatID = await sender.currentAdminChatID
        switch update.kind {
        case .message(let message):
            if let from = message.from, !from.isBot, from.id > 0 {
                try await store.setUnreachable(telegramID: from.id, false, at: now())
            }
            if message.chat.id == adminChatID, let newID = message.migrateToChatID {
                await sender.adminChatMoved(to: newID)
            } else if message.migrateFromChatID == adminChatID {
                await sender.adminChatMoved(to: message.chat.id)
            }
            if message.chat.type == .private {
                try await privateMessage(message, updateID: update.updateID)
            } else if message.chat.type.isGroup {
                try await groupMessage(message, updateID: update.updateID, isAdminChat: message.chat.id == adminChatID)
            } else {
                try await store.commit(BotCommit(handledUpdateID: update.updateID))
            }
        case .callbackQuery(let query):
            try await button(query, updateID: update.updateID, adminChatID: adminChatID)
        case .myChatMember(let change):
            if change.chat.type == .private {
                let blocked = change.newChatMember.status == .kicked
                try await store.setUnreachable(telegramID: change.chat.id, blocked, at: now())
            } else {
                logger.info(
                    "the bot's membership of a chat changed",
                    metadata: ["chat": "\(change.chat.id)", "status": "\(change.newChatMember.status.rawValue)"]
                )
            }
            try await store.commit(BotCommit(handledUpdateID: update.updateID))
        case .chatMember(let change):
            if change.chat.id == adminChatID { await admins.forget(change.newChatMember.user.id) }
            try await store.commit(BotCommit(handledUpdateID: update.updateID))
        case .editedMessage, .unknown, .undecodable:
            try await store.commit(BotCommit(handledUpdateID: update.updateID))
        }
    }

    // MARK: - Private chats

    private func privateMessage(_ message: Message, updateID: Int64) async throws {
        guard let from = message.from, let text = message.text else {
            try await store.commit(BotCommit(handledUpdateID: updateID))
            return
        }
        let asText = ConversationEvent.textReceived(text, messageID: Int64(message.messageID), chat: .privateChat)
        let parsed = Self.command(in: text, botUsername: botUsername)
        try await converse(from: from, updateID: updateID) { state in
            switch parsed {
            case nil:
                return asText
            case .known(let command):
                return .commandReceived(command, chat: .privateChat)
            case .unknown, .otherBot, .adminCommand:
                // Waiting for a credential, anything but our own commands is the answer: a Kraken secret or a
                // passphrase may well start with "/", and it must be deleted like any other.
                if ConversationMachine.asksForCredential(state.step) { return asText }
                return nil
            }
        }
    }

    /// Runs the conversation on the event `choose` makes of the current state (for `nil`: the command hint) and
    /// commits the outcome.
    private func converse(
        from: TelegramBotAPI.User,
        updateID: Int64,
        choose: (ConversationState) -> ConversationEvent?
    ) async throws {
        try await converse(from: from, as: try await ensureUser(from), updateID: updateID, choose: choose)
    }

    /// ``converse(from:updateID:choose:)`` for a caller that has looked the user up already.
    private func converse(
        from: TelegramBotAPI.User,
        as user: ExchangeBotCore.User,
        updateID: Int64,
        choose: (ConversationState) -> ConversationEvent?
    ) async throws {
        let caller = Caller(userID: user.id, telegramID: from.id, displayName: BotTexts.callerName(from))
        var run = ConversationRun(
            chatID: from.id,
            user: user,
            caller: caller,
            language: texts.localizer.language(for: user.languageCode),
            state: try await store.conversation(ofUser: from.id) ?? ConversationState(updatedAt: now())
        )
        if let event = choose(run.state) {
            try await advance(&run, with: event)
        } else {
            run.queue(Reply(.init("hint.commands")), texts: texts)
        }
        if case .checking = run.state.step {} else { run.state.pendingSubmission = nil }
        try await store.commit(
            BotCommit(
                handledUpdateID: updateID,
                conversations: [from.id: run.state],
                outgoing: run.outgoing,
                language: run.chosenLanguage.map { (from.id, $0) }
            )
        )
        sender.wake()
        if run.startedCheck, let pending = run.state.pendingSubmission {
            await checks.start(telegramID: from.id, userID: user.id, caller: caller, pending: pending, resumed: false)
        }
    }

    /// Feeds `event` and the answers to its effects through the machine.
    private func advance(_ run: inout ConversationRun, with first: ConversationEvent) async throws {
        var events = [first]
        while !events.isEmpty {
            let event = events.removeFirst()
            for effect in ConversationMachine.handle(event, state: &run.state, now: now()) {
                switch effect {
                case .send(let reply):
                    run.queue(reply, texts: texts)
                case .deleteMessage(let messageID):
                    await deleteCredentialMessage(chatID: run.chatID, messageID: messageID)
                case .answerButton(let queryID, let alert):
                    await answer(
                        queryID,
                        alert: alert.map { texts.localizer.plainText($0.key, $0.arguments, language: run.language) }
                    )
                case .listKeys:
                    events.append(.keysListed(try await service.keys(ofUser: run.user.id)))
                case .setActive(let keyID, let active):
                    do {
                        let key = try await service.setActive(
                            keyID: keyID,
                            userID: run.user.id,
                            active: active,
                            by: run.caller
                        )
                        events.append(.actionFinished(.activeChanged(key)))
                    } catch {
                        events.append(.actionFinished(.failed(error)))
                    }
                case .deleteKey(let keyID):
                    do {
                        // A pending key's request in the admin group says so (the core's withdrawn event).
                        try await service.deleteKey(keyID: keyID, userID: run.user.id, by: run.caller)
                        events.append(.actionFinished(.deleted(keyID: keyID)))
                    } catch .keyNotFound {
                        // Gone already (a repeat of this very update after a crash, or the REST API): done.
                        events.append(.actionFinished(.deleted(keyID: keyID)))
                    } catch {
                        events.append(.actionFinished(.failed(error)))
                    }
                case .submit(let submission, let updating):
                    run.state.pendingSubmission = PendingSubmission(
                        submission: submission,
                        updating: updating,
                        submittedAt: now()
                    )
                    run.startedCheck = true
                case .setLanguage(let code):
                    run.chosenLanguage = code
                    run.language = texts.localizer.language(for: code)
                }
            }
        }
    }

    /// Finishes a check: the machine's answer to the exchange's verdict, committed with the cleared submission.
    /// Tried again if storage fails, like an update; if it still fails, the check runs again at the next start.
    func finishCheck(telegramID: Int64, result: Result<ExchangeKey, ApprovalError>) async {
        for attempt in 1...Self.attempts {
            if await tryFinishCheck(telegramID: telegramID, result: result, last: attempt == Self.attempts) { return }
            try? await Task.sleep(for: .milliseconds(200 << attempt))
        }
    }

    private func tryFinishCheck(telegramID: Int64, result: Result<ExchangeKey, ApprovalError>, last: Bool) async
        -> Bool
    {
        do {
            guard var state = try await store.conversation(ofUser: telegramID), state.pendingSubmission != nil else {
                return true
            }
            let user = try await store.ensureUser(telegramID: telegramID, username: nil, languageCode: nil, at: now())
            var run = ConversationRun(
                chatID: telegramID,
                user: user,
                caller: Caller(userID: user.id, telegramID: telegramID),
                language: texts.localizer.language(for: user.languageCode),
                state: state
            )
            try await advance(&run, with: .submissionFinished(result))
            state = run.state
            state.pendingSubmission = nil
            try await store.commit(BotCommit(conversations: [telegramID: state], outgoing: run.outgoing))
            sender.wake()
            return true
        } catch {
            if last {
                logger.error(
                    "a key check's outcome could not be stored; it will be checked again at the next start",
                    metadata: ["error": "\(error)"]
                )
            }
            return false
        }
    }

    // MARK: - Groups

    private func groupMessage(_ message: Message, updateID: Int64, isAdminChat: Bool) async throws {
        guard let text = message.text, let from = message.from else {
            try await store.commit(BotCommit(handledUpdateID: updateID))
            return
        }
        let desk = AdminDesk(handler: self, chatID: message.chat.id)
        if isAdminChat {
            if let reply = message.replyToMessage,
                let prompt = try await store.reasonPrompt(chatID: message.chat.id, messageID: reply.messageID)
            {
                try await desk.reasonGiven(
                    text,
                    keyID: prompt.keyID,
                    revision: prompt.revision,
                    by: from,
                    updateID: updateID
                )
                return
            }
            if case .some(.adminCommand(let command, let arguments)) = Self.adminCommand(
                in: text,
                botUsername: botUsername
            ) {
                try await desk.command(command, arguments: arguments, by: from, updateID: updateID)
                return
            }
        }
        var outgoing = [QueuedAction]()
        let parsed = Self.command(in: text, botUsername: botUsername)
        if isAdminChat, parsed == .known(.help) || parsed == .known(.start) {
            outgoing.append(
                QueuedAction(.send(OutgoingMessage(to: .chat(message.chat.id), text: texts.text("admin.help"))))
            )
        } else if case .some(.known(let command)) = parsed {
            var state = ConversationState(updatedAt: now())
            for case .send(let reply) in ConversationMachine.handle(
                .commandReceived(command, chat: .group),
                state: &state,
                now: now()
            ) {
                let language = texts.localizer.language(for: from.languageCode)
                outgoing += texts.messages(reply, to: .chat(message.chat.id), language: language)
                    .map { QueuedAction(.send($0)) }
            }
        }
        try await store.commit(BotCommit(handledUpdateID: updateID, outgoing: outgoing))
        sender.wake()
    }

    // MARK: - Buttons

    private func button(_ query: CallbackQuery, updateID: Int64, adminChatID: Int64) async throws {
        let data = query.data ?? ""
        if let chat = query.message?.chat, chat.id == adminChatID || chat.type.isGroup {
            if let action = AdminAction(data: data), chat.id == adminChatID {
                try await AdminDesk(handler: self, chatID: chat.id).pressed(action, query: query, updateID: updateID)
            } else {
                await answer(query.id, alert: texts.alert("button.stale"))
                try await store.commit(BotCommit(handledUpdateID: updateID))
            }
            return
        }
        guard let action = ButtonAction(data: data) else {
            await answer(query.id, alert: texts.alert("button.stale", language: language(of: query.from)))
            try await store.commit(BotCommit(handledUpdateID: updateID))
            return
        }
        let user = try await ensureUser(query.from)
        // A button naming a key that is no longer this user's (deleted, or forged data) is stale.
        if let keyID = Self.keyID(of: action) {
            let owned = try await service.keys(ofUser: user.id).contains { $0.id == keyID }
            let confirming = if case .confirmDelete = action { true } else { false }
            if !owned, !confirming {
                await answer(query.id, alert: texts.alert("button.stale", language: language(of: query.from)))
                try await store.commit(BotCommit(handledUpdateID: updateID))
                return
            }
        }
        try await converse(from: query.from, as: user, updateID: updateID) { _ in
            .buttonPressed(action, queryID: query.id)
        }
    }

    /// The sender's row in `users`, created on first contact.
    private func ensureUser(_ from: TelegramBotAPI.User) async throws -> ExchangeBotCore.User {
        try await store.ensureUser(
            telegramID: from.id,
            username: from.username,
            languageCode: from.languageCode,
            at: now()
        )
    }

    private static func keyID(of action: ButtonAction) -> Int64? {
        switch action {
        case .activate(let id), .deactivate(let id), .delete(let id), .confirmDelete(let id):
            id
        case .updateKeys(let id, _):
            id
        case .chooseExchange, .cancelDelete, .chooseLanguage:
            nil
        }
    }

    func language(of user: TelegramBotAPI.User) -> String {
        texts.localizer.language(for: user.languageCode)
    }

    // MARK: - Immediate calls

    /// Answers a button press; a late or repeated answer is harmless.
    func answer(_ queryID: String, alert: String?) async {
        do throws(TelegramError) {
            try await client.answerCallbackQuery(
                id: queryID,
                text: alert.map { String($0.prefix(200)) },
                showAlert: alert != nil
            )
        } catch {
            if !error.isQueryTooOld {
                logger.warning("a button press could not be answered", metadata: ["error": "\(error)"])
            }
        }
    }

    func deleteCredentialMessage(chatID: Int64, messageID: Int64) async {
        do throws(TelegramError) {
            try await client.deleteMessageIfExists(chatID: chatID, messageID: Int(messageID))
        } catch {
            logger.error(
                "a message holding a credential could not be deleted",
                metadata: ["chat": "\(chatID)", "message": "\(messageID)", "error": "\(error)"]
            )
        }
    }
}

/// One pass of the conversation for a user: its state and what it queued.
struct ConversationRun {
    let chatID: Int64
    let user: ExchangeBotCore.User
    let caller: Caller
    var language: String
    var state: ConversationState
    var outgoing = [QueuedAction]()
    var chosenLanguage: String?
    var startedCheck = false

    init(chatID: Int64, user: ExchangeBotCore.User, caller: Caller, language: String, state: ConversationState) {
        self.chatID = chatID
        self.user = user
        self.caller = caller
        self.language = language
        self.state = state
    }

    mutating func queue(_ reply: Reply, texts: BotTexts) {
        outgoing += texts.messages(reply, to: .chat(chatID), language: language).map { QueuedAction(.send($0)) }
    }
}
