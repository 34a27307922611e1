import BotConversation
import ExchangeBotCore
import Foundation
import Localization
import TelegramAPIClient

/// A user's private chat with the bot: turns a message or a button press into the conversation's event and hands
/// it to the ``ConversationRunner``. Decides what a `/command` means while a credential is awaited, and whether a
/// pressed button still belongs to its presser.
struct PrivateChat: Sendable {
    let store: any BotStore
    let service: ApprovalService
    let texts: BotTexts
    let parser: CommandParser
    let runner: ConversationRunner
    let calls: ImmediateCalls
    let now: @Sendable () -> Date

    func message(_ message: Message, _ update: HandledUpdate) async throws {
        guard let from = message.from, let text = message.text else {
            try await store.commit(update.commit())
            return
        }
        let asText = ConversationEvent.textReceived(text, messageID: Int64(message.messageID), chat: .privateChat)
        let parsed = parser.command(in: text)
        let (user, state) = try await userAndConversation(from)
        try await runner.run(update, from: from, user: user, state: state) { state in
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

    func button(_ query: CallbackQuery, _ update: HandledUpdate) async throws {
        guard let action = ButtonAction(data: query.data ?? "") else {
            try await stale(query, update)
            return
        }
        let (user, state) = try await userAndConversation(query.from)
        // A button naming a key that is no longer this user's (deleted, or forged data) is stale.
        if let keyID = action.keyID {
            let owned = try await service.keys(ofUser: user.id).contains { $0.id == keyID }
            let confirming = if case .confirmDelete = action { true } else { false }
            if !owned, !confirming {
                try await stale(query, update)
                return
            }
        }
        try await runner.run(update, from: query.from, user: user, state: state) { _ in
            .buttonPressed(action, queryID: query.id)
        }
    }

    private func stale(_ query: CallbackQuery, _ update: HandledUpdate) async throws {
        let language = texts.localizer.language(for: query.from.languageCode)
        await calls.answer(query.id, alert: texts.alert("button.stale", language: language))
        try await store.commit(update.commit())
    }

    /// The sender's row in `users` (created on first contact) and their conversation, in one read.
    private func userAndConversation(_ from: TelegramAPIClient.User) async throws
        -> (ExchangeBotCore.User, ConversationState?)
    {
        try await store.userAndConversation(
            telegramID: from.id,
            username: from.username,
            languageCode: from.languageCode,
            at: now()
        )
    }
}

extension ButtonAction {
    /// The key a button acts on, if any.
    fileprivate var keyID: Int64? {
        switch self {
        case .activate(let id), .deactivate(let id), .delete(let id), .confirmDelete(let id): id
        case .updateKeys(let id, _): id
        case .chooseExchange, .cancelDelete, .chooseLanguage: nil
        }
    }
}
