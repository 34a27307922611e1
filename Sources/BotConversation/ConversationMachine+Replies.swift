import ExchangeBotCore
import Foundation

/// The replies the machine builds from data: the key list, the exchange and language choices, refusal texts.
extension ConversationMachine {
    // MARK: - Key list

    static func list(_ keys: [ExchangeKey]) -> [ConversationEffect] {
        guard !keys.isEmpty else { return [.send(Reply(.init("keys.none")))] }
        return stride(from: 0, to: keys.count, by: keysPerMessage).map { start in
            let page = keys[start..<min(start + keysPerMessage, keys.count)]
            let lines = page.map { key in
                let label = EchoBound.cut(key.label, to: EchoBound.label)
                return "#\(key.id) \(exchangeName(key)) · \(label) · \(key.maskedAPIKey) · "
                    + "\(key.status.rawValue)\(key.isActive ? " · active" : "")"
            }
            let buttons = page.map { key -> [Reply.Button] in
                var row = [Reply.Button]()
                if key.status == .approved {
                    row.append(
                        key.isActive
                            ? .localized("button.deactivate", .deactivate(keyID: key.id))
                            : .localized("button.activate", .activate(keyID: key.id))
                    )
                }
                if let exchange = key.exchange {
                    row.append(.localized("button.update_keys", .updateKeys(keyID: key.id, exchange: exchange)))
                }
                row.append(.localized("button.delete", .delete(keyID: key.id)))
                return row
            }
            return .send(Reply(.init("keys.list", ["keys": lines.joined(separator: "\n")]), buttons: buttons))
        }
    }

    /// The exchange buttons, three to a row, captioned with the exchanges' names.
    static var exchangeChoice: Reply {
        let buttons = ExchangeID.allCases.map { Reply.Button.literal($0.displayName, .chooseExchange($0)) }
        return Reply(
            .init("add.choose_exchange"),
            buttons: stride(from: 0, to: buttons.count, by: 3).map { Array(buttons[$0..<min($0 + 3, buttons.count)]) }
        )
    }

    /// The text for a refusal: its code's message, with every placeholder those messages use. The detail may
    /// carry an exchange's own words, so it is bounded.
    public static func errorText(_ error: ApprovalError, exchange: ExchangeID?) -> Reply.Text {
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
