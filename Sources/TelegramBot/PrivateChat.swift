import BotConversation
import ExchangeBotCore
import Foundation
import Localization
import TelegramAPIClient

/// A user's private chat with the bot: turns a message or a button press into the conversation's event and hands
/// it to the ``ConversationRunner``. Decides what a `/command` means while a credential is awaited, whether a
/// pressed button still belongs to its presser, and what a Telegram user without an account may do.
struct PrivateChat: Sendable {
    let store: any BotStore
    let service: ApprovalService
    let linking: AccountLinking?
    let signup: TelegramSignup
    let texts: BotTexts
    let parser: CommandParser
    let runner: ConversationRunner
    let calls: ImmediateCalls
    let signal: WakeSignal
    let now: @Sendable () -> Date

    func message(_ message: Message, _ update: HandledUpdate) async throws {
        guard let from = message.from else {
            try await store.commit(update.commit())
            return
        }
        guard let text = message.text else {
            try await nonText(message, from: from, update)
            return
        }
        let asText = ConversationEvent.textReceived(text, messageID: Int64(message.messageID), chat: .privateChat)
        let payload = parser.command(in: text) == .known(.start) ? parser.startPayload(in: text) : nil
        // `/start add` (the deep link t.me/<bot>?start=add) is `/add`; any other payload may be a link code.
        let startsAdding = payload.map(CommandParser.isAddPayload) ?? false
        let parsed = startsAdding ? .known(.add) : parser.command(in: text)
        // `/start <code>`: the hash of a link code, or nil when the payload cannot be one.
        let linkCode: Data?? =
            if !startsAdding, let linking, let payload {
                .some(linking.codeHash(payload))
            } else {
                nil
            }
        // Linking needs no account of the bot's making: the code names the account.
        let (user, state) = try await userAndConversation(from, create: signup == .open && linkCode == nil)
        let choose = { (state: ConversationState) -> ConversationEvent? in
            if let linkCode { return .linkCodeReceived(linkCode, chat: .privateChat) }
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
        let current = state ?? ConversationState(updatedAt: now())
        if user == nil, let event = choose(current), Self.needsAccount(event, step: current.step) {
            if ConversationMachine.asksForCredential(current.step) {
                await calls.deleteCredentialMessage(chatID: from.id, messageID: Int64(message.messageID))
            }
            try await refuseWithoutAccount(from, update)
            return
        }
        try await runner.run(update, from: from, user: user, state: state, choose: choose)
    }

    /// A photo, file or sticker: the conversation decides (deleted at a credential step); a sender unknown to a
    /// `linked` bot gets nothing created, as for text.
    private func nonText(_ message: Message, from: TelegramAPIClient.User, _ update: HandledUpdate) async throws {
        let event = ConversationEvent.nonTextReceived(messageID: Int64(message.messageID), chat: .privateChat)
        let (user, state) = try await userAndConversation(from, create: signup == .open)
        let current = state ?? ConversationState(updatedAt: now())
        if user == nil, Self.needsAccount(event, step: current.step) {
            if ConversationMachine.asksForCredential(current.step) {
                await calls.deleteCredentialMessage(chatID: from.id, messageID: Int64(message.messageID))
            }
            try await refuseWithoutAccount(from, update)
            return
        }
        try await runner.run(update, from: from, user: user, state: state) { _ in event }
    }

    func button(_ query: CallbackQuery, _ update: HandledUpdate) async throws {
        guard let action = ButtonAction(data: query.data ?? "") else {
            try await stale(query, update)
            return
        }
        let (found, state) = try await userAndConversation(query.from, create: signup == .open && !action.isLinking)
        guard let user = found else {
            let event = ConversationEvent.buttonPressed(action, queryID: query.id)
            if Self.needsAccount(event, step: state?.step ?? .idle) {
                let language = texts.localizer.language(for: query.from.languageCode)
                await calls.answer(query.id, alert: texts.alert("link.required", language: language))
                try await store.commit(update.commit())
                return
            }
            try await runner.run(update, from: query.from, user: nil, state: state) { _ in event }
            return
        }
        // A button naming a key that is no longer this user's (deleted, or forged data) is stale; so is Activate
        // under a card or notice older than the key's return to PENDING or its rejection.
        if let keyID = action.keyID {
            let key = try await service.keys(ofUser: user.id).first { $0.id == keyID }
            let confirming = if case .confirmDelete = action { true } else { false }
            let outdated = if case .activate = action { key.map { $0.status != .approved } ?? false } else { false }
            if (key == nil && !confirming) || outdated {
                try await stale(query, update)
                return
            }
        }
        let pressed = query.message.map { Int64($0.messageID) }
        try await runner.run(update, from: query.from, user: user, state: state, pressedMessageID: pressed) { _ in
            .buttonPressed(action, queryID: query.id)
        }
    }

    private func stale(_ query: CallbackQuery, _ update: HandledUpdate) async throws {
        let language = texts.localizer.language(for: query.from.languageCode)
        await calls.answer(query.id, alert: texts.alert("button.stale", language: language))
        try await store.commit(update.commit())
    }

    /// "Open the link from your account page": nothing is created and the conversation is left as it was.
    private func refuseWithoutAccount(_ from: TelegramAPIClient.User, _ update: HandledUpdate) async throws {
        let language = texts.localizer.language(for: from.languageCode)
        let outgoing = texts.messages(Reply(.init("link.required")), to: .chat(from.id), language: language)
            .map { QueuedAction(.send($0)) }
        try await store.commit(update.commit(outgoing: outgoing))
        signal.wake()
    }

    /// The sender's row in `users` and their conversation, in one read; with `create`, a Telegram user no one
    /// knows gets an account of the bot's making. A `users` table that refuses such a row
    /// (``UserCreationRefused``) leaves them without one, as `TELEGRAM_SIGNUP=linked` would.
    private func userAndConversation(_ from: TelegramAPIClient.User, create: Bool) async throws
        -> (ExchangeBotCore.User?, ConversationState?)
    {
        if create {
            do {
                let found = try await store.userAndConversation(
                    telegramID: from.id,
                    username: from.username,
                    languageCode: from.languageCode,
                    at: now()
                )
                return (found.user, found.conversation)
            } catch is UserCreationRefused {}
        }
        let found = try await store.userAndConversation(
            telegramID: from.id,
            username: from.username,
            languageCode: from.languageCode,
            createUser: false,
            at: now()
        )
        return (found.user, found.conversation)
    }

    /// Whether an event needs the sender to have an account: anything that reads or changes keys. Linking,
    /// help, the language and cancelling do not.
    static func needsAccount(_ event: ConversationEvent, step: ConversationState.Step) -> Bool {
        switch event {
        case .commandReceived(let command, _):
            switch command {
            case .add, .exchanges: return true
            case .start, .help, .cancel, .language, .unlink: return false
            }
        case .textReceived, .nonTextReceived:
            switch step {
            case .idle, .confirmingLink, .confirmingUnlink: return false
            default: return true
            }
        case .buttonPressed(let action, _):
            if case .chooseLanguage = action { return false }
            return !action.isLinking
        default:
            return false
        }
    }
}

extension ButtonAction {
    /// The key a button acts on, if any.
    fileprivate var keyID: Int64? {
        switch self {
        case .activate(let id), .deactivate(let id), .delete(let id), .confirmDelete(let id): id
        case .updateKeys(let id, _): id
        case .chooseExchange, .cancelDelete, .moreKeys, .chooseLanguage, .confirmLink, .cancelLink, .confirmUnlink,
            .cancelUnlink, .checkAgain, .reenterKey, .cancelDraft, .continueDraft, .startAdding, .showKeys:
            nil
        }
    }

    /// A button of the link and unlink confirmations.
    fileprivate var isLinking: Bool {
        switch self {
        case .confirmLink, .cancelLink, .confirmUnlink, .cancelUnlink: true
        default: false
        }
    }
}
