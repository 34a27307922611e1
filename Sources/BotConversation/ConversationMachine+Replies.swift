import ExchangeBotCore
import Foundation

/// The replies the machine builds from data: the exchange and language choices, refusal texts.
extension ConversationMachine {
    /// The exchange buttons, two to a row (at three, `Coinbase Exchange` is cut on a phone), captioned with the
    /// exchanges' names.
    static var exchangeChoice: Reply {
        let buttons = ExchangeID.allCases.map { Reply.Button.literal($0.displayName, .chooseExchange($0)) }
        return Reply(
            .init("add.choose_exchange"),
            buttons: stride(from: 0, to: buttons.count, by: 2).map { Array(buttons[$0..<min($0 + 2, buttons.count)]) }
        )
    }

    /// The text for a refusal: its code's message, with every placeholder those messages use. The detail may
    /// carry an exchange's own words, so it is bounded.
    public static func errorText(_ error: ApprovalError, exchange: ExchangeID?) -> Reply.Text {
        if case .invalidInput(let field, let problem) = error {
            return InputProblemText.text(field: field, problem: problem)
        }
        var arguments = ["detail": EchoBound.cut(error.message, to: EchoBound.exchangeText)]
        switch error {
        case .tooManyKeyChecks(let seconds):
            arguments["minutes"] = String(ApprovalError.minutes(ceilingOf: seconds))
        case .passphraseRequired(let named), .passphraseNotAccepted(let named):
            arguments["exchange"] = named.displayName
        case .alreadyDecided(_, let by):
            arguments["admin"] = by ?? "another admin"
        default:
            if let exchange { arguments["exchange"] = exchange.displayName }
        }
        return Reply.Text("error.\(error.code)", arguments)
    }

    /// A stored key's exchange: its name, or the stored id (bounded: another system may have written anything).
    static func exchangeName(_ key: ExchangeKey) -> String {
        key.exchange?.displayName ?? EchoBound.cut(key.exchangeName, to: EchoBound.name)
    }

    /// One button per language, captioned in that language.
    static var languageChoice: Reply {
        Reply(
            .init("language.choose"),
            buttons: [languages.map { Reply.Button.literal($0.name, .chooseLanguage($0.code)) }]
        )
    }
}
