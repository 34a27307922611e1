import ExchangeBotCore
import Foundation

/// Linking the user's Telegram account to a platform account with a one-time code (`/start <code>`, then a
/// confirmation button), and unlinking it (`/unlink`, confirmed).
///
/// The code itself never enters the state: only its hash, which is what the store looks codes up by. A code is
/// looked up (not used) to name the account in the confirmation, and used only when "Link" is pressed.
extension ConversationMachine {
    static func linkCodeReceived(_ codeHash: Data?, chat: ConversationEvent.ChatKind, _ step: ConversationState.Step)
        -> [ConversationEffect]
    {
        // A code typed into a group is not used there: the link would be made for whoever pressed the button.
        guard chat == .privateChat else { return [.send(Reply(.init("link.private_only")))] }
        guard !isWaitingForService(step) else { return [.send(Reply(.init("add.still_checking")))] }
        guard let codeHash else { return [.send(Reply(.init("link.invalid_code")))] }
        return [.lookUpLinkCode(codeHash)]
    }

    static func linkCodeLookedUp(_ codeHash: Data, user: User?, _ step: inout ConversationState.Step)
        -> [ConversationEffect]
    {
        guard let user else { return [.send(Reply(.init("link.invalid_code")))] }
        guard !isWaitingForService(step) else { return [.send(Reply(.init("add.still_checking")))] }
        step = .confirmingLink(codeHash: codeHash)
        let tag = linkTag(codeHash)
        return [
            .send(
                Reply(
                    .init("link.confirm", ["account": accountName(user)]),
                    buttons: [
                        [
                            .localized("link.button_link", .confirmLink(tag: tag)),
                            .localized("link.button_cancel", .cancelLink(tag: tag)),
                        ]
                    ]
                )
            )
        ]
    }

    static func unlinkCommand(_ step: inout ConversationState.Step) -> [ConversationEffect] {
        guard !isWaitingForService(step) else { return [.send(Reply(.init("add.still_checking")))] }
        step = .confirmingUnlink
        return [
            .send(
                Reply(
                    .init("link.unlink_confirm"),
                    buttons: [
                        [
                            .localized("link.button_unlink", .confirmUnlink),
                            .localized("link.button_cancel", .cancelUnlink),
                        ]
                    ]
                )
            )
        ]
    }

    static func linkButton(_ action: ButtonAction, queryID: String, _ step: inout ConversationState.Step)
        -> [ConversationEffect]
    {
        let stale: [ConversationEffect] = [.answerButton(queryID: queryID, alert: .init("button.stale"))]
        let answered = ConversationEffect.answerButton(queryID: queryID, alert: nil)
        switch action {
        case .confirmLink(let tag):
            guard case .confirmingLink(let codeHash) = step, linkTag(codeHash) == tag else { return stale }
            step = .idle
            return [answered, .link(codeHash: codeHash)]
        case .cancelLink(let tag):
            guard case .confirmingLink(let codeHash) = step, linkTag(codeHash) == tag else { return stale }
            step = .idle
            return [answered, .send(Reply(.init("link.cancelled")))]
        case .confirmUnlink:
            guard step == .confirmingUnlink else { return stale }
            step = .idle
            return [answered, .unlink]
        case .cancelUnlink:
            guard step == .confirmingUnlink else { return stale }
            step = .idle
            return [answered, .send(Reply(.init("link.unlink_cancelled")))]
        default:
            return stale
        }
    }

    static func linkFinished(_ outcome: LinkOutcome) -> [ConversationEffect] {
        switch outcome {
        case .linked(let user, let movedKeys, let droppedKeys, _, _):
            var effects: [ConversationEffect] = [.send(Reply(.init("link.linked", ["account": accountName(user)])))]
            if movedKeys > 0 || droppedKeys > 0 {
                effects.append(
                    .send(
                        Reply(.init("link.keys_moved", ["moved": String(movedKeys), "dropped": String(droppedKeys)]))
                    )
                )
            }
            return effects
        case .refused(.invalidCode), .refused(.userInactive):
            // One answer for every code that does not work: a guesser learns nothing.
            return [.send(Reply(.init("link.invalid_code")))]
        case .refused(.linkedToAnotherUser):
            return [.send(Reply(.init("link.linked_elsewhere")))]
        case .refused(.platformLinkedElsewhere):
            return [.send(Reply(.init("link.platform_linked_elsewhere")))]
        }
    }

    static func unlinkFinished(_ outcome: UnlinkOutcome) -> [ConversationEffect] {
        switch outcome {
        case .unlinked: [.send(Reply(.init("link.unlinked")))]
        case .notLinked: [.send(Reply(.init("link.not_linked")))]
        case .platformLink: [.send(Reply(.init("link.platform_managed")))]
        }
    }

    // MARK: - Helpers

    /// The tag a link button carries: the first 8 bytes of the code's hash in hex. It tells confirmations apart
    /// (a button under an older one is stale) and says nothing usable about the code.
    public static func linkTag(_ codeHash: Data) -> String {
        codeHash.prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// A tag's shape: 1 to 16 lowercase hex digits (anything else in `callback_data` is forged).
    static func isLinkTag(_ text: String) -> Bool {
        (1...16).contains(text.utf8.count)
            && text.utf8.allSatisfy {
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                    || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
            }
    }

    /// How an account is named to whoever holds its link code: its username and a masked email, never the whole
    /// address.
    static func accountName(_ user: User) -> String {
        let name = user.username.map { EchoBound.cut($0, to: EchoBound.name) } ?? "#\(user.id)"
        guard let email = user.email.flatMap(EmailMask.masked) else { return name }
        return "\(name) (\(email))"
    }
}
