import BotConversation
import ExchangeBotCore
import Foundation
import Testing

/// `/start <code>` → "Link to account …?" → Link, and `/unlink`, through the pure machine.
@Suite struct LinkingFlowTests {
    static let codeHash = Data((0..<32).map { UInt8($0) })
    static let tag = "0001020304050607"
    static let alice = User(id: 7, username: "alice", email: "alice@example.com")

    static let confirmation = Reply(
        .init("link.confirm", ["account": "alice (a…@example.com)"]),
        buttons: [
            [
                .localized("link.button_link", .confirmLink(tag: tag)),
                .localized("link.button_cancel", .cancelLink(tag: tag)),
            ]
        ]
    )

    @Test func aCodeIsLookedUpConfirmedAndUsedOnlyWhenLinkIsPressed() {
        var chat = Chat()
        #expect(chat.send(.linkCodeReceived(Self.codeHash, chat: .privateChat)) == [.lookUpLinkCode(Self.codeHash)])
        #expect(chat.state.step == .idle)
        #expect(chat.send(.linkCodeLookedUp(codeHash: Self.codeHash, user: Self.alice)) == [.send(Self.confirmation)])
        #expect(chat.state.step == .confirmingLink(codeHash: Self.codeHash))
        #expect(
            chat.press(.confirmLink(tag: Self.tag))
                == [.answerButton(queryID: "q1", alert: nil), .link(codeHash: Self.codeHash)]
        )
        #expect(chat.state.step == .idle)
        let linked = LinkOutcome.linked(
            user: Self.alice,
            movedKeys: 0,
            droppedKeys: 0,
            retiredUserID: nil,
            replacedTelegramID: nil
        )
        #expect(sentKeys(chat.send(.linkFinished(linked))) == ["link.linked"])
        // The button again (a double tap): stale, nothing used twice.
        #expect(chat.press(.confirmLink(tag: Self.tag)) == [.answerButton(queryID: "q1", alert: .init("button.stale"))])
    }

    @Test func movedKeysAreReported() {
        var chat = Chat()
        let linked = LinkOutcome.linked(
            user: Self.alice,
            movedKeys: 2,
            droppedKeys: 1,
            retiredUserID: 3,
            replacedTelegramID: nil
        )
        let effects = chat.send(.linkFinished(linked))
        #expect(sentKeys(effects) == ["link.linked", "link.keys_moved"])
        #expect(effects.last == .send(Reply(.init("link.keys_moved", ["moved": "2", "dropped": "1"]))))
    }

    @Test func malformedUnknownUsedAndExpiredCodesGetOneAnswer() {
        var chat = Chat()
        #expect(sentKeys(chat.send(.linkCodeReceived(nil, chat: .privateChat))) == ["link.invalid_code"])
        #expect(sentKeys(chat.send(.linkCodeLookedUp(codeHash: Self.codeHash, user: nil))) == ["link.invalid_code"])
        #expect(chat.state.step == .idle)
        for refusal in [LinkRefusal.invalidCode, .userInactive] {
            #expect(sentKeys(chat.send(.linkFinished(.refused(refusal)))) == ["link.invalid_code"])
        }
        #expect(sentKeys(chat.send(.linkFinished(.refused(.linkedToAnotherUser)))) == ["link.linked_elsewhere"])
        #expect(
            sentKeys(chat.send(.linkFinished(.refused(.platformLinkedElsewhere)))) == ["link.platform_linked_elsewhere"]
        )
    }

    @Test func aGroupNeverLooksTheCodeUp() {
        var chat = Chat()
        let effects = chat.send(.linkCodeReceived(Self.codeHash, chat: .group))
        #expect(effects == [.send(Reply(.init("link.private_only")))])
        #expect(chat.state.step == .idle)
        #expect(sentKeys(chat.command(.unlink, group: true)) == ["group.use_private_chat"])
    }

    @Test func cancelOrAnOlderConfirmationsButtonLinksNothing() {
        var chat = Chat()
        _ = chat.send(.linkCodeLookedUp(codeHash: Self.codeHash, user: Self.alice))
        let other = ConversationMachine.linkTag(Data(repeating: 9, count: 32))
        #expect(chat.press(.confirmLink(tag: other)) == [.answerButton(queryID: "q1", alert: .init("button.stale"))])
        #expect(chat.state.step == .confirmingLink(codeHash: Self.codeHash))
        #expect(
            chat.press(.cancelLink(tag: Self.tag))
                == [.answerButton(queryID: "q1", alert: nil), .send(Reply(.init("link.cancelled")))]
        )
        #expect(chat.state.step == .idle)
    }

    @Test func linkingWaitsForAKeyCheck() {
        var chat = Chat()
        chat.state.step = .checking(exchange: .okx, keyID: nil)
        #expect(sentKeys(chat.send(.linkCodeReceived(Self.codeHash, chat: .privateChat))) == ["add.still_checking"])
        #expect(sentKeys(chat.command(.unlink)) == ["add.still_checking"])
        #expect(chat.state.step == .checking(exchange: .okx, keyID: nil))
    }

    @Test func unlinkIsConfirmedFirst() {
        var chat = Chat()
        let asked = chat.command(.unlink)
        #expect(sentKeys(asked) == ["link.unlink_confirm"])
        guard case .send(let reply) = asked.first else { return }
        #expect(reply.buttons.flatMap { $0 }.map(\.action) == [.confirmUnlink, .cancelUnlink])
        #expect(chat.press(.confirmUnlink) == [.answerButton(queryID: "q1", alert: nil), .unlink])
        #expect(chat.press(.confirmUnlink) == [.answerButton(queryID: "q1", alert: .init("button.stale"))])
        #expect(sentKeys(chat.send(.unlinkFinished(.unlinked(userID: 7, telegramID: 1)))) == ["link.unlinked"])
        #expect(sentKeys(chat.send(.unlinkFinished(.notLinked))) == ["link.not_linked"])
        #expect(sentKeys(chat.send(.unlinkFinished(.platformLink))) == ["link.platform_managed"])
        _ = chat.command(.unlink)
        #expect(sentKeys(chat.press(.cancelUnlink)) == ["link.unlink_cancelled"])
        #expect(chat.state.step == .idle)
    }

    @Test func theConfirmationNeverShowsTheWholeEmail() {
        var chat = Chat()
        let cases: [(User, String)] = [
            (User(id: 1, username: "bob", email: "bob.smith@mail.example.org"), "bob (b…@mail.example.org)"),
            (User(id: 2, username: "carol"), "carol"),
            (User(id: 3, email: "x@y.z"), "#3 (x…@y.z)"),
            (User(id: 4, username: "dave", email: "not-an-address"), "dave"),
        ]
        for (user, shown) in cases {
            let effects = chat.send(.linkCodeLookedUp(codeHash: Self.codeHash, user: user))
            guard case .send(let reply) = effects.first else {
                Issue.record("no confirmation")
                continue
            }
            #expect(reply.text.arguments["account"] == shown)
        }
    }

    @Test func linkButtonsRoundTripAndRefuseForgedTags() {
        let actions: [ButtonAction] = [
            .confirmLink(tag: Self.tag), .cancelLink(tag: Self.tag), .confirmUnlink, .cancelUnlink,
        ]
        for action in actions {
            #expect(ButtonAction(data: action.data) == action)
            #expect((1...64).contains(action.data.utf8.count))
        }
        for garbage in ["linkok:", "linkok:XYZ", "linkok:00000000000000000", "linkno:<b>", "unlink:yes", "unlink:"] {
            #expect(ButtonAction(data: garbage) == nil, "\(garbage)")
        }
    }

    @Test func aConfirmationStateSurvivesARestart() throws {
        let state = ConversationState(
            step: .confirmingLink(codeHash: Self.codeHash),
            updatedAt: Date(timeIntervalSince1970: 0)
        )
        let data = try JSONEncoder().encode(state)
        #expect(try JSONDecoder().decode(ConversationState.self, from: data) == state)
    }
}
