import ExchangeBotCore

/// The user's text for a refused input: one locale key per (field, problem), so no field name or English rule
/// text of the core (`label: must not be empty`) reaches a chat.
enum InputProblemText {
    /// Reads the core's problem by its wording: the problems are fixed sentences in ``KeyRules``, and one not
    /// known here falls back to a text that names the field only.
    static func text(field: ApprovalError.InputField, problem: String) -> Reply.Text {
        switch field {
        case .label:
            if problem.contains("empty") { return .init("input.label.empty") }
            if problem.contains("at most") {
                return .init("input.label.too_long", ["max": String(KeyRules.maxLabelLength)])
            }
            if problem.contains("single line") { return .init("input.label.single_line") }
            if problem.contains("invisible") { return .init("input.label.invisible") }
            return .init("input.label.other")
        case .apiKey:
            return .init("input.api_key.shape")
        case .apiSecret:
            if problem.contains("private key") { return .init("input.private_key.shape") }
            return .init("input.api_secret.shape")
        case .passphrase:
            return .init("input.passphrase.shape")
        case .exchange:
            return .init("error.unknown_exchange")
        case .message, .reason:
            return .init("input.other")
        }
    }
}
