import BotConversation
import ExchangeBotCore
import Foundation
import Localization
import TelegramAPIClient

/// Messages in groups: in the admin group, reason replies and admin commands go to the ``AdminDesk`` and `/help`
/// answers with the admins' help; anywhere else, our commands get the group answer (keys are never taken in a
/// group: users are pointed to a private chat) and other chatter is ignored.
struct GroupChat: Sendable {
    let store: any BotStore
    let texts: BotTexts
    let parser: CommandParser
    let desk: AdminDesk
    let signal: WakeSignal
    /// Voids a link code posted in a group (everyone there has seen it).
    let linking: AccountLinking?
    /// From `getMe`: the "use a private chat" answer links to `t.me/<username>?start=add` (none without one).
    let botUsername: String?
    let now: @Sendable () -> Date

    func message(_ message: Message, isAdminChat: Bool, _ update: HandledUpdate) async throws {
        guard let text = message.text, let from = message.from else {
            try await store.commit(update.commit())
            return
        }
        if isAdminChat {
            if let reply = message.replyToMessage,
                let prompt = try await store.reasonPrompt(chatID: message.chat.id, messageID: reply.messageID)
            {
                try await desk.reasonGiven(text, prompt: prompt, by: from, update)
                return
            }
            if case .adminCommand(let command, let arguments)? = parser.adminCommand(in: text) {
                try await desk.command(command, arguments: arguments, by: from, update)
                return
            }
        }
        var outgoing = [QueuedAction]()
        let parsed = parser.command(in: text)
        if isAdminChat, parsed == .known(.help) || parsed == .known(.start) {
            outgoing.append(
                QueuedAction(.send(OutgoingMessage(to: .chat(message.chat.id), text: texts.text("admin.help"))))
            )
        } else if case .known(let command)? = parsed {
            var state = ConversationState(updatedAt: now())
            let language = texts.localizer.language(for: from.languageCode)
            // A link code is never used in a group: the answer points to a private chat, and the code, which every
            // member has now seen, is voided so that none of them can link their own Telegram account with it.
            let payload = command == .start ? parser.startPayload(in: text) : nil
            if let payload { try await linking?.voidExposedCode(payload) }
            let event: ConversationEvent =
                payload != nil ? .linkCodeReceived(nil, chat: .group) : .commandReceived(command, chat: .group)
            for case .send(let reply) in ConversationMachine.handle(
                event,
                state: &state,
                now: now()
            ) {
                var messages = texts.messages(reply, to: .chat(message.chat.id), language: language)
                if reply.text.key == "group.use_private_chat", let link = privateChatLink(language: language),
                    !messages.isEmpty
                {
                    messages[messages.count - 1].buttons.append([link])
                }
                outgoing += messages.map { QueuedAction(.send($0)) }
            }
        }
        try await store.commit(update.commit(outgoing: outgoing))
        if !outgoing.isEmpty { signal.wake() }
    }

    /// A button that opens the private chat with `/start add` (the deep link that starts `/add`).
    private func privateChatLink(language: String) -> OutgoingButton? {
        guard let botUsername, !botUsername.isEmpty,
            let name = botUsername.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["_"]))
        else { return nil }
        return .link(
            texts.localizer.plainText("button.open_private_chat", [:], language: language),
            url: "https://t.me/\(name)?start=add"
        )
    }
}
