import ExchangeBotCore

/// The first messages a user sees: `/start` with its two buttons, and a refused label in plain words.
extension ConversationMachine {
    /// `/start`: what the bot needs in one line, and `Add a key` / `My keys`.
    static var startReply: Reply {
        Reply(
            .init("start"),
            buttons: [[.localized("button.add_key", .startAdding), .localized("button.my_keys", .showKeys)]]
        )
    }

    /// A refused label, said without the core's field names.
    static func labelProblem(_ error: ApprovalError) -> Reply.Text {
        if case .invalidInput(let field, let problem) = error {
            return InputProblemText.text(field: field, problem: problem)
        }
        return errorText(error, exchange: nil)
    }
}
