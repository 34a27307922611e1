import ExchangeBotCore

/// The input field's hint under each forced reply of the add flow, read from the step the reply asks for.
extension ConversationMachine {
    /// `effects` with every forced reply given the hint of `step` (the step after the transition: the one whose
    /// answer the reply asks for). Replies that set their own are left alone.
    static func withPlaceholders(_ effects: [ConversationEffect], step: ConversationState.Step)
        -> [ConversationEffect]
    {
        guard let hint = placeholder(for: step) else { return effects }
        return effects.map { effect in
            guard case .send(var reply) = effect, reply.forceReply, reply.placeholder == nil else { return effect }
            reply.placeholder = hint
            return .send(reply)
        }
    }

    static func placeholder(for step: ConversationState.Step) -> Reply.Text? {
        switch step {
        case .awaitingLabel: .init("placeholder.label")
        case .awaitingAPIKey(let draft):
            .init(draft.exchange.secretIsPEM ? "placeholder.key_name" : "placeholder.api_key")
        case .awaitingSecret(let draft):
            .init(draft.exchange.secretIsPEM ? "placeholder.private_key" : "placeholder.api_secret")
        case .awaitingPassphrase: .init("placeholder.passphrase")
        default: nil
        }
    }
}
