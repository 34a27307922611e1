import ExchangeBotCore
import Foundation

/// What was sent where something else was asked for: a key as the label, a PEM or a key file at the wrong step,
/// a photo or a file instead of text. Each is deleted when it may hold a credential and answered with what to send.
extension ConversationMachine {
    /// A label that looks like a key (a long token, a PEM, a key file): deleted, since a label is kept in clear and
    /// shown to admins.
    static func refuseKeyAsLabel(_ text: String, messageID: Int64) -> [ConversationEffect]? {
        guard CredentialShape(text).isCredential else { return nil }
        return [
            .deleteMessage(messageID: messageID),
            .send(Reply(.init("input.label_looks_like_key"), forceReply: true)),
        ]
    }

    /// A PEM or JSON at the API key step. Coinbase's key file holds both the key name and the private key: both
    /// are taken from it (the message is deleted like any credential) and the key goes to its check, since that
    /// is all Coinbase needs and nothing is guessed.
    static func misplacedAtAPIKey(_ text: String, messageID: Int64, draft: Draft, _ step: inout Step)
        -> [ConversationEffect]?
    {
        let name = ["exchange": draft.exchange.displayName]
        let deleted = ConversationEffect.deleteMessage(messageID: messageID)
        switch CredentialShape(text) {
        case .pem:
            let key = draft.exchange.secretIsPEM ? "input.pem_at_api_key" : "input.pem_not_expected"
            return [deleted, .send(Reply(.init(key, name), forceReply: true))]
        case .coinbaseKeyFile(let keyName, let privateKey) where draft.exchange.secretIsPEM:
            let apiKey = keyName.trimmingCharacters(in: .whitespacesAndNewlines)
            guard isSingleToken(apiKey), !privateKey.isEmpty, !draft.exchange.requiresPassphrase else {
                return [deleted, .send(Reply(.init("input.json_at_api_key", name), forceReply: true))]
            }
            var filled = draft
            filled.apiKey = apiKey
            filled.apiSecret = SecretString(privateKey)
            return [deleted, .send(Reply(.init("input.key_file_taken")))] + submit(filled, passphrase: nil, &step)
        case .json, .coinbaseKeyFile:
            return [deleted, .send(Reply(.init("input.json_at_api_key", name), forceReply: true))]
        case .token, .text:
            return nil
        }
    }

    /// A PEM where an HMAC secret is asked for, or a JSON file: refused with what to send. Coinbase's key file at
    /// its private key step gives its private key.
    static func misplacedAtSecret(_ text: String, messageID: Int64, draft: Draft)
        -> (effects: [ConversationEffect], secret: SecretString?)?
    {
        let name = ["exchange": draft.exchange.displayName]
        let deleted = ConversationEffect.deleteMessage(messageID: messageID)
        switch CredentialShape(text) {
        case .pem where !draft.exchange.secretIsPEM:
            return ([deleted, .send(Reply(.init("input.pem_not_expected", name), forceReply: true))], nil)
        case .coinbaseKeyFile(_, let privateKey) where draft.exchange.secretIsPEM:
            return ([deleted], SecretString(privateKey))
        case .json, .coinbaseKeyFile:
            return ([deleted, .send(Reply(.init("input.json_at_secret", name), forceReply: true))], nil)
        case .pem, .token, .text:
            return nil
        }
    }

    /// A PEM or a key file where the passphrase is asked for.
    static func misplacedAtPassphrase(_ text: String, messageID: Int64, draft: Draft) -> [ConversationEffect]? {
        switch CredentialShape(text) {
        case .pem, .json, .coinbaseKeyFile:
            return [
                .deleteMessage(messageID: messageID),
                .send(
                    Reply(.init("input.not_a_passphrase", ["exchange": draft.exchange.displayName]), forceReply: true)
                ),
            ]
        case .token, .text:
            return nil
        }
    }

    /// A photo, file or sticker: at a step that expects a credential it is deleted (a screenshot of a key is one)
    /// and the user asked for text; at the label step they are asked for text.
    static func nonText(messageID: Int64, chat: ConversationEvent.ChatKind, _ step: Step) -> [ConversationEffect] {
        guard chat == .privateChat else { return [] }
        switch step {
        case .awaitingAPIKey, .awaitingSecret, .awaitingPassphrase, .checkFailed, .timedOut, .checking:
            return [
                .deleteMessage(messageID: messageID),
                .send(Reply(.init("input.paste_as_text"), forceReply: asksForCredential(step))),
            ]
        case .awaitingLabel:
            return [.send(Reply(.init("input.label_as_text"), forceReply: true))]
        case .idle, .choosingExchange, .confirmingDelete, .confirmingLink, .confirmingUnlink:
            return []
        }
    }

    private static func isSingleToken(_ value: String) -> Bool {
        !value.isEmpty && value.utf8.count <= KeyRules.maxFieldLength && !value.contains(where: \.isWhitespace)
    }
}
