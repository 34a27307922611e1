import BotConversation
import ExchangeBotCore
import Foundation
import Testing

/// A conversation driven event by event, with its effects checked exhaustively at each step.
struct Chat {
    var state = ConversationState(updatedAt: Date(timeIntervalSince1970: 1_700_000_000))
    var now = Date(timeIntervalSince1970: 1_700_000_000)
    var nextMessageID: Int64 = 100

    mutating func send(_ event: ConversationEvent) -> [ConversationEffect] {
        ConversationMachine.handle(event, state: &state, now: now)
    }

    mutating func command(_ command: ConversationEvent.Command, group: Bool = false) -> [ConversationEffect] {
        send(.commandReceived(command, chat: group ? .group : .privateChat))
    }

    mutating func text(_ text: String, group: Bool = false) -> [ConversationEffect] {
        nextMessageID += 1
        return send(.textReceived(text, messageID: nextMessageID, chat: group ? .group : .privateChat))
    }

    mutating func press(_ action: ButtonAction, query: String = "q1") -> [ConversationEffect] {
        send(.buttonPressed(action, queryID: query))
    }
}

func sentKeys(_ effects: [ConversationEffect]) -> [String] {
    effects.compactMap { effect in
        switch effect {
        case .send(let reply), .sendChecking(let reply), .replaceChecking(let reply): return reply.text.key
        default: return nil
        }
    }
}

@Suite struct ConversationFlowTests {
    static let key = ExchangeKey(
        id: 7,
        userID: 1,
        exchangeName: "okx",
        label: "Main",
        apiKey: "okx-key-0123456789",
        status: .pending,
        isActive: false
    )

    @Test func addingAKeyWithAPassphrase() throws {
        var chat = Chat()
        let choose = chat.command(.add)
        guard case .send(let reply) = try #require(choose.first) else { Issue.record("expected buttons"); return }
        #expect(
            reply.buttons.flatMap { $0 }.compactMap(\.literal) == [
                "Binance", "Bybit", "OKX", "Gate", "MEXC", "KuCoin", "Coinbase", "Coinbase Exchange", "Kraken",
            ]
        )
        #expect(
            chat.press(.chooseExchange(.okx)) == [
                .answerButton(queryID: "q1", alert: nil),
                .editPressedMessage(Reply(.init("add.exchange_chosen", ["exchange": "OKX"]))),
                .send(
                    Reply(
                        .init("guide.okx", ["exchange": "OKX", "url": ExchangeGuide.apiPage(.okx)]),
                        forceReply: true
                    )
                    .hint("placeholder.label")
                ),
            ]
        )
        #expect(sentKeys(chat.text("  Main  ")) == ["add.ask_api_key"])
        #expect(
            chat.text("okx-key-0123456789") == [
                .deleteMessage(messageID: 102),
                .send(
                    Reply(.init("add.ask_secret", ["exchange": "OKX"]), forceReply: true).hint("placeholder.api_secret")
                ),
            ]
        )
        #expect(
            chat.text("TOP-SECRET") == [
                .deleteMessage(messageID: 103),
                .send(
                    Reply(.init("add.ask_passphrase", ["exchange": "OKX"]), forceReply: true)
                        .hint("placeholder.passphrase")
                ),
            ]
        )
        let submitted = chat.text("pass phrase")
        let expected = KeySubmission(
            exchange: "okx",
            label: "Main",
            apiKey: "okx-key-0123456789",
            apiSecret: SecretString("TOP-SECRET"),
            passphrase: SecretString("pass phrase")
        )
        #expect(
            submitted == [
                .deleteMessage(messageID: 104),
                .sendChecking(Reply(.init("add.checking", ["exchange": "OKX"]))),
                .submit(expected, updating: nil),
            ]
        )
        #expect(chat.state.step == .checking(exchange: .okx, keyID: nil))
        // While checking, text gets a patient answer, and the secret is no longer held.
        #expect(sentKeys(chat.text("hello?")) == ["add.still_checking"])
        #expect(sentKeys(chat.send(.submissionFinished(.success(Self.key)))) == ["add.awaiting_approval"])
        #expect(chat.state.step == .idle)
    }

    /// A check resumed after a crash may find its key decided already: the answer does not say it waits.
    @Test func aVerdictOnAKeyDecidedAlreadyDoesNotSayItWaits() {
        var chat = Chat()
        chat.state.step = .checking(exchange: .okx, keyID: nil)
        var decided = Self.key
        decided.status = .approved
        #expect(sentKeys(chat.send(.submissionFinished(.success(decided)))) == ["add.decided_already"])
        #expect(chat.state.step == .idle)
    }

    @Test func withoutAPassphraseTheSecretSubmits() {
        var chat = Chat()
        _ = chat.command(.add)
        _ = chat.press(.chooseExchange(.binance))
        _ = chat.text("Spot")
        _ = chat.text("binance-key-123456")
        let effects = chat.text("binance-secret")
        #expect(effects.first == .deleteMessage(messageID: 103))
        #expect(effects.contains { if case .submit(_, nil) = $0 { return true } else { return false } })
    }

    @Test func aRefusalSaysWhatIsWrongAndEndsTheConversation() {
        var chat = Chat()
        chat.state.step = .checking(exchange: .okx, keyID: nil)
        let effects = chat.send(.submissionFinished(.failure(.validationFailed(.invalidPassphrase))))
        #expect(
            effects == [
                .replaceChecking(
                    Reply(
                        .init(
                            "error.invalid_passphrase",
                            ["detail": CredentialError.invalidPassphrase.message, "exchange": "OKX"]
                        )
                    )
                )
            ]
        )
        #expect(chat.state.step == .idle)
    }

    @Test func badLabelsAreAskedAgain() {
        var chat = Chat()
        chat.state.step = .awaitingLabel(Draft(exchange: .gate))
        let effects = chat.text(String(repeating: "x", count: 101))
        #expect(sentKeys(effects) == ["input.label.too_long"])
        #expect(chat.state.step == .awaitingLabel(Draft(exchange: .gate)))
    }

    @Test func updatingKeysSkipsTheLabelAndNamesTheKey() {
        var chat = Chat()
        let effects = chat.press(.updateKeys(keyID: 7, exchange: .kraken))
        #expect(sentKeys(effects) == ["update.ask_api_key"])
        _ = chat.text("kraken-key-000001")
        let submitted = chat.text("a3Jha2VuLXNlY3JldA==")
        #expect(
            submitted.contains { effect in
                if case .submit(let submission, let id) = effect { return id == 7 && submission.exchange.isEmpty }
                return false
            }
        )
    }

    @Test func deletingAsksFirstAndRefusesStaleConfirmations() {
        var chat = Chat()
        // The key is read first, so the confirmation can name it (KeyCardTests).
        #expect(chat.press(.delete(keyID: 7)) == [.answerButton(queryID: "q1", alert: nil), .showKey(keyID: 7)])
        #expect(chat.state.step == .confirmingDelete(keyID: 7))
        #expect(
            chat.press(.confirmDelete(keyID: 8), query: "q2") == [
                .answerButton(queryID: "q2", alert: .init("button.stale"))
            ]
        )
        #expect(
            chat.press(.confirmDelete(keyID: 7), query: "q3") == [
                .answerButton(queryID: "q3", alert: nil), .deleteKey(keyID: 7),
            ]
        )
        #expect(chat.state.step == .idle)
        #expect(
            chat.press(.confirmDelete(keyID: 7), query: "q4") == [
                .answerButton(queryID: "q4", alert: .init("button.stale"))
            ]
        )
    }

    @Test func groupsNeverTakeKeys() {
        var chat = Chat()
        #expect(sentKeys(chat.command(.add, group: true)) == ["group.use_private_chat"])
        #expect(sentKeys(chat.command(.exchanges, group: true)) == ["group.use_private_chat"])
        #expect(chat.text("my-secret-key", group: true).isEmpty)
        #expect(chat.state.step == .idle)
        // Even mid-conversation, a group message changes nothing.
        chat.state.step = .awaitingSecret(Draft(exchange: .bybit, label: "x", apiKey: "k"))
        #expect(chat.text("secret in a group", group: true).isEmpty)
        #expect(chat.state.step == .awaitingSecret(Draft(exchange: .bybit, label: "x", apiKey: "k")))
    }

    @Test func idleConversationsStartOver() {
        var chat = Chat()
        chat.state.step = .awaitingSecret(Draft(exchange: .bybit, label: "x", apiKey: "k"))
        chat.now = chat.now.addingTimeInterval(601)
        let effects = chat.text("late secret")
        #expect(sentKeys(effects) == ["conversation.timed_out_draft"])
        #expect(effects.first == .deleteMessage(messageID: chat.nextMessageID), "a late answer may be the secret")
        #expect(chat.state.step == .timedOut(Draft(exchange: .bybit, label: "x")), "the exchange and label are kept")
        // A key being checked is never abandoned by the clock.
        chat.state.step = .checking(exchange: .okx, keyID: nil)
        chat.now = chat.now.addingTimeInterval(3600)
        let again = chat.text("the passphrase again")
        #expect(chat.state.step == .checking(exchange: .okx, keyID: nil))
        #expect(again.first == .deleteMessage(messageID: chat.nextMessageID))
        // Nor does /add start a second key over it.
        #expect(sentKeys(chat.command(.add)) == ["add.still_checking"])
        #expect(chat.state.step == .checking(exchange: .okx, keyID: nil))
    }

    @Test func keyListsCarryButtonsByStatusAndArePaged() {
        var chat = Chat()
        let approved = ExchangeKey(
            id: 1,
            userID: 1,
            exchangeName: "binance",
            label: "A",
            apiKey: "abcdefghijklmnop",
            status: .approved,
            isActive: true
        )
        let pending = ExchangeKey(
            id: 2,
            userID: 1,
            exchangeName: "okx",
            label: "B",
            apiKey: "abcdefghijklmnop",
            status: .pending,
            isActive: false
        )
        // One card per key, its buttons under it.
        let effects = chat.send(.keysListed([approved, pending]))
        guard effects.count == 2, case .send(let first) = effects[0], case .send(let second) = effects[1] else {
            Issue.record("expected a card per key")
            return
        }
        #expect(
            first.buttons.joined().map(\.action) == [
                .deactivate(keyID: 1), .updateKeys(keyID: 1, exchange: .binance), .delete(keyID: 1),
            ]
        )
        #expect(second.buttons.joined().map(\.action) == [.updateKeys(keyID: 2, exchange: .okx), .delete(keyID: 2)])
        #expect(first.text.arguments["key"] == "abcd…mnop")
        let many = (1...25).map {
            ExchangeKey(
                id: Int64($0),
                userID: 1,
                exchangeName: "bybit",
                label: "K\($0)",
                apiKey: "k",
                status: .pending,
                isActive: false
            )
        }
        // Ten cards and a pager with More.
        #expect(chat.send(.keysListed(many)).count == 11)
        #expect(sentKeys(chat.send(.keysListed([]))) == ["keys.none"])
    }
}

@Suite struct ConversationMatrixTests {
    static let steps: [ConversationState.Step] = [
        .idle, .choosingExchange, .awaitingLabel(Draft(exchange: .okx)),
        .awaitingAPIKey(Draft(exchange: .okx, label: "L")),
        .awaitingSecret(Draft(exchange: .okx, label: "L", apiKey: "k")),
        .awaitingPassphrase(Draft(exchange: .okx, label: "L", apiKey: "k", apiSecret: SecretString("s"))),
        .checking(exchange: .okx, keyID: nil), .confirmingDelete(keyID: 3),
        .confirmingLink(codeHash: Data(repeating: 1, count: 32)), .confirmingUnlink,
        .checkFailed(
            Draft(exchange: .okx, label: "L", apiKey: "k", apiSecret: SecretString("s"), passphrase: SecretString("s"))
        ),
        .timedOut(Draft(exchange: .okx, label: "L")),
    ]

    static let events: [ConversationEvent] =
        ConversationEvent.Command.allCases.flatMap { command in
            [ConversationEvent.commandReceived(command, chat: .privateChat), .commandReceived(command, chat: .group)]
        } + [
            .textReceived("hello", messageID: 1, chat: .privateChat),
            .textReceived("hello", messageID: 1, chat: .group),
            .buttonPressed(.chooseExchange(.kucoin), queryID: "q"), .buttonPressed(.activate(keyID: 3), queryID: "q"),
            .buttonPressed(.deactivate(keyID: 3), queryID: "q"),
            .buttonPressed(.updateKeys(keyID: 3, exchange: .okx), queryID: "q"),
            .buttonPressed(.delete(keyID: 3), queryID: "q"), .buttonPressed(.confirmDelete(keyID: 3), queryID: "q"),
            .buttonPressed(.cancelDelete(keyID: 3), queryID: "q"), .keysListed([]),
            .buttonPressed(.chooseLanguage("ru"), queryID: "q"),
            .submissionFinished(.failure(.storageFailure)), .actionFinished(.deleted(keyID: 3)),
            .linkCodeReceived(Data(repeating: 1, count: 32), chat: .privateChat),
            .linkCodeReceived(Data(repeating: 1, count: 32), chat: .group),
            .linkCodeLookedUp(codeHash: Data(repeating: 1, count: 32), user: User(id: 1, username: "u")),
            .buttonPressed(.confirmLink(tag: "0101010101010101"), queryID: "q"),
            .buttonPressed(.cancelLink(tag: "0101010101010101"), queryID: "q"),
            .buttonPressed(.confirmUnlink, queryID: "q"), .buttonPressed(.cancelUnlink, queryID: "q"),
            .linkFinished(.refused(.invalidCode)), .unlinkFinished(.notLinked),
            .nonTextReceived(messageID: 2, chat: .privateChat), .nonTextReceived(messageID: 2, chat: .group),
            .buttonPressed(.checkAgain, queryID: "q"), .buttonPressed(.reenterKey, queryID: "q"),
            .buttonPressed(.cancelDraft, queryID: "q"), .buttonPressed(.continueDraft, queryID: "q"),
            .buttonPressed(.startAdding, queryID: "q"), .buttonPressed(.showKeys, queryID: "q"),
            .submissionFinished(.failure(.validationFailed(.invalidPassphrase))),
        ]

    /// Every state × every event: group events never move the conversation, every button press is answered first,
    /// /cancel always ends at idle, and no reply text carries the draft's secret.
    @Test(arguments: steps)
    func everyEventInEveryState(step: ConversationState.Step) {
        for event in Self.events {
            var state = ConversationState(step: step, updatedAt: Date(timeIntervalSince1970: 0))
            let effects = ConversationMachine.handle(event, state: &state, now: Date(timeIntervalSince1970: 10))
            switch event {
            case .commandReceived(_, .group), .textReceived(_, _, .group), .linkCodeReceived(_, .group),
                .nonTextReceived(_, .group):
                #expect(state.step == step, "\(event) moved \(step)")
            case .buttonPressed(_, let queryID):
                guard case .answerButton(queryID, _) = effects.first else {
                    Issue.record("\(event) in \(step) did not answer the button first")
                    continue
                }
            case .commandReceived(.cancel, .privateChat):
                // While the exchange checks a key, its answer decides; /cancel says so and changes nothing.
                if case .checking = step {
                    #expect(state.step == step)
                } else {
                    #expect(state.step == .idle)
                }
            default:
                break
            }
            for effect in effects {
                if case .send(let reply) = effect {
                    #expect(!reply.text.arguments.values.contains { $0.contains("s") && $0 == "s" })
                }
            }
        }
    }

    @Test func buttonDataRoundTripsAndFitsTelegramsLimit() {
        let actions: [ButtonAction] =
            ExchangeID.allCases.map { .chooseExchange($0) } + [
                .activate(keyID: Int64.max), .deactivate(keyID: 1),
                .updateKeys(keyID: Int64.max, exchange: .coinbaseexchange),
                .delete(keyID: 9), .confirmDelete(keyID: 9), .cancelDelete(keyID: 9), .chooseLanguage("en"),
                .chooseLanguage("ru"), .checkAgain, .reenterKey, .cancelDraft, .continueDraft, .startAdding, .showKeys,
            ]
        for action in actions {
            #expect(ButtonAction(data: action.data) == action)
            #expect((1...64).contains(action.data.utf8.count))
        }
        for garbage in ["", "add:ftx", "act:-1", "act:x", "upd:1", "upd:1:nope", "zzz:1", "act", "lang:xx", "lang:"] {
            #expect(ButtonAction(data: garbage) == nil, "\(garbage)")
        }
    }

    @Test func stateSurvivesARestartWithItsDraft() throws {
        let state = ConversationState(
            step: .awaitingPassphrase(
                Draft(exchange: .kucoin, label: "L", apiKey: "k", apiSecret: SecretString("s3cr3t"))
            ),
            updatedAt: Date(timeIntervalSince1970: 1_700_000_000)
        )
        let data = try JSONEncoder().encode(state)
        #expect(try JSONDecoder().decode(ConversationState.self, from: data) == state)
    }
}

/// Every text and button caption the conversation can produce exists in `locales/en.json` and `locales/ru.json`,
/// and the two files hold the same keys.
@Suite struct LocaleTests {
    static func locale(_ name: String) -> [String: String] {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        let data = (try? Data(contentsOf: root.appendingPathComponent("locales/\(name).json"))) ?? Data()
        return (try? JSONDecoder().decode([String: String].self, from: data)) ?? [:]
    }

    /// The same texts in both: a plain key in both, or a plural group (`name.one`, `name.few`…, whose forms differ
    /// by language) in both; the plural test (TelegramBotTests) checks each group's forms.
    @Test func bothLocalesHoldTheSameKeys() {
        let english = Self.texts(Self.locale("en"))
        let russian = Self.texts(Self.locale("ru"))
        #expect(!english.isEmpty)
        #expect(english.subtracting(russian).isEmpty, "missing in ru: \(english.subtracting(russian).sorted())")
        #expect(russian.subtracting(english).isEmpty, "missing in en: \(russian.subtracting(english).sorted())")
    }

    /// The keys, with each plural group's forms counted as its name once.
    static func texts(_ locale: [String: String]) -> Set<String> {
        let forms: Set<Substring> = ["zero", "one", "two", "few", "many", "other"]
        return Set(
            locale.keys.map { key in
                guard let dot = key.lastIndex(of: "."), forms.contains(key[key.index(after: dot)...]),
                    locale[String(key[..<dot]) + ".other"] != nil
                else { return key }
                return String(key[..<dot])
            }
        )
    }

    @Test func everyTextTheConversationUsesIsTranslated() {
        var keys = Set<String>()
        for step in ConversationMatrixTests.steps {
            for event in ConversationMatrixTests.events + [
                .submissionFinished(.success(ConversationFlowTests.key)),
                .actionFinished(.activeChanged(ConversationFlowTests.key)),
                .keysListed([ConversationFlowTests.key]),
            ] {
                var state = ConversationState(step: step, updatedAt: Date())
                for effect in ConversationMachine.handle(event, state: &state, now: Date()) {
                    switch effect {
                    case .send(let reply):
                        keys.insert(reply.text.key)
                        for button in reply.buttons.flatMap({ $0 }) where button.literal == nil {
                            keys.insert(button.caption.key)
                        }
                    case .answerButton(_, let alert?):
                        keys.insert(alert.key)
                    default:
                        break
                    }
                }
            }
        }
        var state = ConversationState(
            step: .awaitingLabel(Draft(exchange: .okx)),
            updatedAt: Date(timeIntervalSince1970: 0)
        )
        for effect in ConversationMachine.handle(
            .textReceived("x", messageID: 1, chat: .privateChat),
            state: &state,
            now: Date()
        ) {
            if case .send(let reply) = effect { keys.insert(reply.text.key) }
        }
        for name in ["en", "ru"] {
            let locale = Self.locale(name)
            for key in keys.sorted() {
                #expect(locale[key] != nil, "locales/\(name).json lacks \(key)")
            }
        }
        #expect(keys.count > 20)
    }
}
