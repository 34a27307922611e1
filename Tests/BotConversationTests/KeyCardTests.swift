import BotConversation
import ExchangeBotCore
import Foundation
import Testing

/// `/exchanges` as one card per key, edited in place by its buttons; pages of ten with `More`.
@Suite struct KeyCardTests {
    static func key(
        _ id: Int64,
        _ status: KeyStatus,
        active: Bool = false,
        error: String? = nil,
        exchange: String = "binance",
        label: String = "Main"
    ) -> ExchangeKey {
        ExchangeKey(
            id: id,
            userID: 1,
            exchangeName: exchange,
            label: label,
            apiKey: "vmPUabcdefghEh8A",
            status: status,
            isActive: active,
            errorMessage: error
        )
    }

    static func lineKeys(_ reply: Reply) -> [String] { reply.lines.map(\.key) }

    static func actions(_ reply: Reply) -> [[ButtonAction]] { reply.buttons.map { $0.map(\.action) } }

    @Test func eachKeyIsACardNamingItsExchangeLabelAndMaskedKey() throws {
        var chat = Chat()
        #expect(chat.command(.exchanges) == [.listKeys])
        let keys = [Self.key(1, .approved, active: true), Self.key(2, .pending, exchange: "okx", label: "Alt <b>")]
        let effects = chat.send(.keysListed(keys))
        #expect(effects.count == 2, "one message per key, no pager for two")
        guard case .send(let first) = effects[0], case .send(let second) = effects[1] else {
            Issue.record("expected two cards: \(effects)")
            return
        }
        #expect(first.text == Reply.Text("keys.card", ["exchange": "Binance", "label": "Main", "key": "vmPU…Eh8A"]))
        #expect(Self.lineKeys(first) == ["keys.status.active"])
        #expect(
            Self.actions(first) == [
                [.deactivate(keyID: 1), .updateKeys(keyID: 1, exchange: .binance)], [.delete(keyID: 1)],
            ]
        )
        #expect(second.text.arguments["label"] == "Alt <b>", "escaped by the renderer, not here")
        #expect(second.text.arguments["exchange"] == "OKX")
        #expect(Self.lineKeys(second) == ["keys.status.pending"])
        #expect(Self.actions(second) == [[.updateKeys(keyID: 2, exchange: .okx)], [.delete(keyID: 2)]])
        #expect(sentKeys(chat.send(.keysListed([]))) == ["keys.none"])
    }

    @Test func theStatusSaysWhyAKeyWasRejectedOrStopped() {
        let rejected = ConversationMachine.card(Self.key(3, .rejected, error: "no IP whitelist"))
        #expect(Self.lineKeys(rejected) == ["keys.status.rejected", "keys.reason.rejected", "keys.next.rejected"])
        #expect(rejected.lines[1].arguments == ["reason": "no IP whitelist"])
        #expect(Self.actions(rejected) == [[.updateKeys(keyID: 3, exchange: .binance)], [.delete(keyID: 3)]])

        let inactive = ConversationMachine.card(Self.key(4, .approved))
        #expect(Self.lineKeys(inactive) == ["keys.status.inactive"])
        #expect(inactive.buttons.first?.first?.action == .activate(keyID: 4))

        // Deactivated by a health check: approved, inactive, with the check's reason in error_message.
        let revoked = ConversationMachine.card(Self.key(5, .approved, error: CredentialError.invalidSecret.message))
        #expect(
            Self.lineKeys(revoked) == [
                "keys.status.deactivated", "status.health.invalid_secret", "keys.next.deactivated",
            ]
        )
        #expect(revoked.lines[2].arguments == ["exchange": "Binance"])
        let foreign = ConversationMachine.card(Self.key(6, .approved, error: "revoked by the platform"))
        #expect(foreign.lines[1] == Reply.Text("status.health.other", ["reason": "revoked by the platform"]))

        // A key of an exchange this version does not know can still be deleted, not updated.
        let unknown = ConversationMachine.card(Self.key(7, .pending, exchange: "bitmex"))
        #expect(Self.actions(unknown) == [[.delete(keyID: 7)]])
        #expect(unknown.text.arguments["exchange"] == "bitmex")
    }

    @Test func activateAndDeactivateEditTheCardInPlace() {
        var chat = Chat()
        #expect(
            chat.press(.activate(keyID: 4)) == [
                .answerButton(queryID: "q1", alert: nil), .setActive(keyID: 4, active: true),
            ]
        )
        let active = Self.key(4, .approved, active: true)
        #expect(
            chat.send(.actionFinished(.activeChanged(active))) == [
                .editPressedMessage(ConversationMachine.card(active))
            ]
        )
        #expect(
            chat.press(.deactivate(keyID: 4), query: "q2") == [
                .answerButton(queryID: "q2", alert: nil), .setActive(keyID: 4, active: false),
            ]
        )
        let inactive = Self.key(4, .approved)
        guard case .editPressedMessage(let card) = chat.send(.actionFinished(.activeChanged(inactive))).first else {
            Issue.record("the card is not edited")
            return
        }
        #expect(Self.lineKeys(card) == ["keys.status.inactive"])
        #expect(card.buttons.first?.first?.action == .activate(keyID: 4))
        // A refusal (a held key that fails its new check) is said in a message of its own; the card stays.
        #expect(
            sentKeys(chat.send(.actionFinished(.failed(.validationFailed(.invalidSecret))))) == ["error.invalid_secret"]
        )
        #expect(chat.state.step == .idle)
    }

    @Test func deletingConfirmsOnTheCardNamingTheKeyAndRemindsOfTheExchange() throws {
        var chat = Chat()
        let active = Self.key(9, .approved, active: true)
        #expect(chat.press(.delete(keyID: 9)) == [.answerButton(queryID: "q1", alert: nil), .showKey(keyID: 9)])
        #expect(chat.state.step == .confirmingDelete(keyID: 9))
        guard case .editPressedMessage(let confirm) = try #require(chat.send(.actionFinished(.shown(active))).first)
        else {
            Issue.record("no confirmation")
            return
        }
        #expect(
            confirm.text == Reply.Text("delete.confirm", ["exchange": "Binance", "label": "Main", "key": "vmPU…Eh8A"])
        )
        #expect(Self.lineKeys(confirm) == ["delete.stops_trading"], "an active key stops trading at once")
        #expect(Self.actions(confirm) == [[.confirmDelete(keyID: 9), .cancelDelete(keyID: 9)]])
        #expect(
            chat.press(.confirmDelete(keyID: 9), query: "q2") == [
                .answerButton(queryID: "q2", alert: nil), .deleteKey(keyID: 9),
            ]
        )
        guard case .editPressedMessage(let done) = try #require(chat.send(.actionFinished(.removed(active))).first)
        else {
            Issue.record("no deletion notice")
            return
        }
        #expect(done.text.key == "keys.deleted_named" && done.text.arguments["label"] == "Main")
        #expect(done.lines == [Reply.Text("keys.delete_on_exchange", ["exchange": "Binance"])])
        #expect(done.buttons.isEmpty)
        // Gone before it could be deleted (a repeat after a crash): said without what it was.
        #expect(
            chat.send(.actionFinished(.deleted(keyID: 9))) == [
                .editPressedMessage(Reply(.init("keys.deleted", ["id": "9"])))
            ]
        )

        // Only an active key "stops trading at once".
        for quiet in [Self.key(9, .rejected, error: "x"), Self.key(9, .pending), Self.key(9, .approved)] {
            _ = chat.press(.delete(keyID: 9))
            guard case .editPressedMessage(let asked)? = chat.send(.actionFinished(.shown(quiet))).first else {
                Issue.record("no confirmation for \(quiet.status)")
                continue
            }
            #expect(asked.text.key == "delete.confirm" && asked.lines.isEmpty)
        }
    }

    @Test func keepingAKeyRestoresItsCard() {
        var chat = Chat()
        let pending = Self.key(9, .pending)
        _ = chat.press(.delete(keyID: 9))
        #expect(
            chat.press(.cancelDelete(keyID: 9), query: "q2") == [
                .answerButton(queryID: "q2", alert: nil), .showKey(keyID: 9),
            ]
        )
        #expect(chat.state.step == .idle)
        #expect(chat.send(.actionFinished(.shown(pending))) == [.editPressedMessage(ConversationMachine.card(pending))])
        // The key vanished meanwhile: said, and the confirmation is over.
        _ = chat.press(.delete(keyID: 9))
        #expect(sentKeys(chat.send(.actionFinished(.failed(.keyNotFound)))) == ["error.not_found"])
        #expect(chat.state.step == .idle)
    }

    @Test func pastTenKeysCardsComeInPagesWithMore() throws {
        var chat = Chat()
        let keys = (1...25).map { Self.key(Int64($0), .pending, label: "K\($0)") }
        let first = chat.send(.keysListed(keys))
        #expect(first.count == 11)
        #expect(sentKeys(first) == Array(repeating: "keys.card", count: 10) + ["keys.page"])
        guard case .send(let pager) = try #require(first.last) else { return }
        #expect(pager.text.arguments == ["first": "1", "last": "10", "total": "25"])
        #expect(Self.actions(pager) == [[.moreKeys(from: 10)]])

        #expect(chat.press(.moreKeys(from: 10)) == [.answerButton(queryID: "q1", alert: nil), .listMoreKeys(from: 10)])
        let second = chat.send(.keysPageListed(keys, from: 10))
        // The pressed pager keeps its text and loses its button; the next ten follow, then a new pager.
        #expect(
            second.first == .editPressedMessage(ConversationMachine.pager(first: 0, last: 10, total: 25, more: false))
        )
        #expect(sentKeys(second) == Array(repeating: "keys.card", count: 10) + ["keys.page"])
        guard case .send(let card11) = second[1] else { return }
        #expect(card11.text.arguments["label"] == "K11")
        let third = chat.send(.keysPageListed(keys, from: 20))
        #expect(sentKeys(third) == Array(repeating: "keys.card", count: 5), "the last page has no pager")
        // Keys deleted meanwhile: a page past the end shows nothing more, and no keys at all says so.
        #expect(sentKeys(chat.send(.keysPageListed(Array(keys.prefix(3)), from: 10))).isEmpty)
        #expect(sentKeys(chat.send(.keysPageListed([], from: 10))) == ["keys.none"])
    }

    @Test func moreButtonDataRoundTrips() {
        #expect(ButtonAction(data: ButtonAction.moreKeys(from: 10).data) == .moreKeys(from: 10))
        #expect(ButtonAction.moreKeys(from: 10).data == "more:10")
        for garbage in ["more:0", "more:-10", "more:x", "more:99999999999999"] {
            #expect(ButtonAction(data: garbage) == nil, "\(garbage)")
        }
    }
}
