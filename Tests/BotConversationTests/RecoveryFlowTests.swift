import BotConversation
import ExchangeBotCore
import Foundation
import Testing

extension Reply {
    /// The reply with the input field's hint the machine gives forced replies.
    func hint(_ key: String) -> Reply {
        var reply = self
        reply.placeholder = .init(key)
        return reply
    }
}

/// Each way a draft survives what goes wrong, state × event: a refused check, an idle timeout, a credential or a
/// file sent at the wrong step.
@Suite struct RecoveryFlowTests {
    static let okxSubmission = KeySubmission(
        exchange: "okx",
        label: "Main",
        apiKey: "okx-key-0123456789",
        apiSecret: SecretString("TOP-SECRET"),
        passphrase: SecretString("wrong phrase")
    )

    /// An OKX key entered and handed to its check, as the runner does it (the submission kept in the state).
    static func checkingOKX() -> Chat {
        var chat = Chat()
        _ = chat.command(.add)
        _ = chat.press(.chooseExchange(.okx))
        _ = chat.text("Main")
        _ = chat.text("okx-key-0123456789")
        _ = chat.text("TOP-SECRET")
        let effects = chat.text("wrong phrase")
        guard case .submit(let submission, let updating) = effects.last else {
            Issue.record("expected a submit, got \(effects)")
            return chat
        }
        _ = chat.send(
            .submissionStarted(PendingSubmission(submission: submission, updating: updating, submittedAt: chat.now))
        )
        return chat
    }

    static func submitted(_ effects: [ConversationEffect]) -> KeySubmission? {
        for case .submit(let submission, _) in effects { return submission }
        return nil
    }

    @Test func aWrongPassphraseAsksForThePassphraseOnly() {
        var chat = Self.checkingOKX()
        let refused = chat.send(.submissionFinished(.failure(.validationFailed(.invalidPassphrase))))
        #expect(
            refused == [
                .send(
                    Reply(.init("add.retry_passphrase", ["exchange": "OKX"]), forceReply: true)
                        .hint("placeholder.passphrase")
                )
            ]
        )
        #expect(
            chat.state.step
                == .awaitingPassphrase(
                    Draft(
                        exchange: .okx,
                        label: "Main",
                        apiKey: "okx-key-0123456789",
                        apiSecret: SecretString("TOP-SECRET")
                    )
                )
        )
        #expect(chat.state.pendingSubmission == nil)
        let again = chat.text("right phrase")
        #expect(again.first == .deleteMessage(messageID: chat.nextMessageID))
        var expected = Self.okxSubmission
        expected.passphrase = SecretString("right phrase")
        #expect(Self.submitted(again) == expected)
    }

    @Test func aWrongSecretAsksForTheSecretOnly() {
        var chat = Self.checkingOKX()
        let refused = chat.send(.submissionFinished(.failure(.validationFailed(.invalidSecret))))
        #expect(sentKeys(refused) == ["add.retry_secret"])
        // A forced reply cannot be an edit: "Checking…" stays and the question follows it.
        #expect(refused.allSatisfy { if case .replaceChecking = $0 { false } else { true } })
        #expect(
            chat.state.step == .awaitingSecret(Draft(exchange: .okx, label: "Main", apiKey: "okx-key-0123456789"))
        )
        #expect(sentKeys(chat.text("NEW-SECRET")) == ["add.ask_passphrase"])
    }

    @Test func aRefusedFieldIsNamedInPlainWordsAndAskedAgain() {
        var chat = Self.checkingOKX()
        let refused = chat.send(
            .submissionFinished(
                .failure(.invalidInput(field: .apiSecret, problem: "must not contain spaces or line breaks"))
            )
        )
        #expect(sentKeys(refused) == ["input.api_secret.shape", "add.ask_secret"])
        // The problem takes the place of "Checking…"; the question after it is a new message (a forced reply).
        guard case .replaceChecking = refused.first, case .send(let question) = refused.last else {
            Issue.record("expected the problem in place of Checking… and a new question, got \(refused)")
            return
        }
        #expect(question.forceReply)
        #expect(
            chat.state.step == .awaitingSecret(Draft(exchange: .okx, label: "Main", apiKey: "okx-key-0123456789"))
        )
    }

    @Test(arguments: [
        CredentialError.ipNotWhitelisted, .withdrawalEnabled, .tradePermissionMissing, .timeout,
        .exchangeUnavailable("down"),
    ])
    func aFixableRefusalOffersCheckAgain(error: CredentialError) {
        var chat = Self.checkingOKX()
        let refused = chat.send(.submissionFinished(.failure(.validationFailed(error))))
        guard case .replaceChecking(let reply) = refused.first, refused.count == 1 else {
            Issue.record("expected one reply, got \(refused)")
            return
        }
        #expect(reply.text.key == "error.\(error.code)")
        #expect(
            reply.buttons.flatMap { $0 }.map(\.action) == [.checkAgain, .reenterKey, .cancelDraft]
        )
        guard case .checkFailed(let draft) = chat.state.step else {
            Issue.record("expected the draft kept, got \(chat.state.step)")
            return
        }
        #expect(draft.passphrase == SecretString("wrong phrase"))
        // Check again: the same key, no typing.
        let again = chat.press(.checkAgain, query: "q9")
        #expect(again.first == .answerButton(queryID: "q9", alert: nil))
        #expect(sentKeys(again) == ["add.checking"])
        #expect(Self.submitted(again) == Self.okxSubmission)
        #expect(chat.state.step == .checking(exchange: .okx, keyID: nil))
    }

    @Test func reEnterKeyKeepsTheLabelAndCancelDropsTheDraft() {
        var chat = Self.checkingOKX()
        _ = chat.send(.submissionFinished(.failure(.validationFailed(.ipNotWhitelisted))))
        #expect(sentKeys(chat.press(.reenterKey)) == ["add.ask_api_key"])
        #expect(chat.state.step == .awaitingAPIKey(Draft(exchange: .okx, label: "Main")))

        var other = Self.checkingOKX()
        _ = other.send(.submissionFinished(.failure(.validationFailed(.ipNotWhitelisted))))
        #expect(sentKeys(other.press(.cancelDraft)) == ["cancel.done"])
        #expect(other.state.step == .idle)
        #expect(other.press(.checkAgain) == [.answerButton(queryID: "q1", alert: .init("button.stale"))])
    }

    @Test func whileTheButtonsWaitACredentialIsDeleted() {
        var chat = Self.checkingOKX()
        _ = chat.send(.submissionFinished(.failure(.validationFailed(.ipNotWhitelisted))))
        let pasted = chat.text("a1b2c3d4-e5f6-7890-abcd-ef0123456789")
        #expect(pasted.first == .deleteMessage(messageID: chat.nextMessageID))
        #expect(sentKeys(pasted) == ["add.deleted_use_buttons"])
        #expect(chat.text("what now?") == [.send(Reply(.init("add.use_buttons")))])
        guard case .checkFailed = chat.state.step else {
            Issue.record("the draft stays, got \(chat.state.step)")
            return
        }
    }

    @Test func whatNoDraftCanFixEndsTheDraftAsBefore() {
        var chat = Self.checkingOKX()
        let refused = chat.send(.submissionFinished(.failure(.duplicateKey(existingID: 3))))
        #expect(sentKeys(refused) == ["error.duplicate_key"])
        #expect(chat.state.step == .idle)
    }

    @Test func aPassedKeysWarningsGoUnderAwaitingApproval() {
        var chat = Self.checkingOKX()
        let key = ExchangeKey(
            id: 7,
            userID: 1,
            exchangeName: "okx",
            label: "Main",
            apiKey: "okx-key-0123456789",
            status: .pending,
            isActive: false
        )
        let effects = chat.send(.checkPassed(key, warnings: [.noIPWhitelist, .withdrawalUnknown]))
        guard case .replaceChecking(let reply) = effects.first, effects.count == 1 else {
            Issue.record("expected one reply, got \(effects)")
            return
        }
        #expect(reply.text.key == "add.awaiting_approval")
        #expect(reply.lines == [.init("add.warning_no_ip"), .init("add.warning_withdrawal_unknown")])
        #expect(chat.state.step == .idle && chat.state.pendingSubmission == nil)
        #expect(KeyWarning.of(ValidationReport(canWithdraw: false, ipRestricted: false)) == [.noIPWhitelist])
        #expect(KeyWarning.of(ValidationReport(canWithdraw: false)).isEmpty, "an exchange that does not say")
    }

    // MARK: - The idle clock

    @Test func theClockStartsAtTheFirstCredentialPrompt() {
        var chat = Chat()
        _ = chat.command(.add)
        _ = chat.press(.chooseExchange(.okx))
        chat.now = chat.now.addingTimeInterval(3_600)
        // An hour on the label step (reading the guide, creating the key): the label is still taken.
        #expect(sentKeys(chat.text("Main")) == ["add.ask_api_key"])
        chat.now = chat.now.addingTimeInterval(601)
        let late = chat.text("okx-key-0123456789")
        #expect(late.first == .deleteMessage(messageID: chat.nextMessageID))
        guard case .send(let notice) = late.last else {
            Issue.record("expected the timeout notice")
            return
        }
        #expect(notice.text.key == "conversation.timed_out_draft")
        #expect(notice.buttons.flatMap { $0 }.map(\.action) == [.continueDraft, .cancelDraft])
        #expect(chat.state.step == .timedOut(Draft(exchange: .okx, label: "Main")))
        #expect(sentKeys(chat.press(.continueDraft)) == ["add.ask_api_key"])
        #expect(chat.state.step == .awaitingAPIKey(Draft(exchange: .okx, label: "Main")))
    }

    @Test func theSweepDropsAFailedChecksCredentials() {
        var chat = Self.checkingOKX()
        _ = chat.send(.submissionFinished(.failure(.validationFailed(.ipNotWhitelisted))))
        chat.now = chat.now.addingTimeInterval(601)
        _ = chat.send(.expired)
        #expect(
            chat.state.step == .checkFailed(Draft(exchange: .okx, label: "Main", apiKey: "okx-key-0123456789"))
        )
        // The next press meets the timeout: nothing secret is left to check again with.
        #expect(chat.press(.checkAgain) == [.answerButton(queryID: "q1", alert: .init("button.stale"))])
        #expect(chat.state.step == .timedOut(Draft(exchange: .okx, label: "Main")))
    }

    // MARK: - Misplaced input

    @Test(arguments: [
        "a1b2c3d4-e5f6-7890-abcd-ef0123456789", "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
        "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----",
    ])
    func aKeyIsRefusedAsALabel(text: String) {
        var chat = Chat()
        _ = chat.command(.add)
        _ = chat.press(.chooseExchange(.binance))
        let effects = chat.text(text)
        #expect(
            effects == [
                .deleteMessage(messageID: chat.nextMessageID),
                .send(Reply(.init("input.label_looks_like_key"), forceReply: true).hint("placeholder.label")),
            ]
        )
        #expect(chat.state.step == .awaitingLabel(Draft(exchange: .binance)))
    }

    @Test(arguments: ["Main account", "MainAccount2024", "Спот 1", "okx"])
    func ordinaryLabelsAreTaken(text: String) {
        #expect(!CredentialShape(text).isCredential)
    }

    @Test func aCoinbaseKeyFileAtTheKeyStepGivesBothValues() {
        var chat = Chat()
        chat.state.step = .awaitingAPIKey(Draft(exchange: .coinbase, label: "CB"))
        let pem = "-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEEIB\\n-----END EC PRIVATE KEY-----\\n"
        let file = "{\"name\": \"organizations/o1/apiKeys/k1\", \"privateKey\": \"\(pem)\"}"
        let effects = chat.text(file)
        #expect(effects.first == .deleteMessage(messageID: chat.nextMessageID))
        #expect(sentKeys(effects) == ["input.key_file_taken", "add.checking"])
        let submission = Self.submitted(effects)
        #expect(submission?.apiKey == "organizations/o1/apiKeys/k1")
        #expect(submission?.apiSecret.exposedValue.contains("BEGIN EC PRIVATE KEY") == true)
    }

    @Test func aPEMOrJSONAtTheWrongStepIsNamed() {
        var chat = Chat()
        chat.state.step = .awaitingAPIKey(Draft(exchange: .coinbase, label: "CB"))
        let pem = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB\n-----END EC PRIVATE KEY-----"
        #expect(sentKeys(chat.text(pem)) == ["input.pem_at_api_key"])
        #expect(chat.state.step == .awaitingAPIKey(Draft(exchange: .coinbase, label: "CB")))

        chat.state.step = .awaitingSecret(Draft(exchange: .binance, label: "B", apiKey: "k"))
        let effects = chat.text(pem)
        #expect(effects.first == .deleteMessage(messageID: chat.nextMessageID))
        #expect(sentKeys(effects) == ["input.pem_not_expected"])
        #expect(chat.state.step == .awaitingSecret(Draft(exchange: .binance, label: "B", apiKey: "k")))

        chat.state.step = .awaitingAPIKey(Draft(exchange: .kraken, label: "K"))
        #expect(sentKeys(chat.text("{\"key\": \"x\"}")) == ["input.json_at_api_key"])

        chat.state.step = .awaitingPassphrase(Draft(exchange: .kucoin, label: "K", apiKey: "k", apiSecret: .init("s")))
        #expect(sentKeys(chat.text(pem)) == ["input.not_a_passphrase"])
    }

    @Test func aPhotoAtACredentialStepIsDeletedAndAnswered() {
        var chat = Chat()
        let draft = Draft(exchange: .bybit, label: "x", apiKey: "k")
        chat.state.step = .awaitingSecret(draft)
        #expect(
            chat.send(.nonTextReceived(messageID: 55, chat: .privateChat)) == [
                .deleteMessage(messageID: 55),
                .send(Reply(.init("input.paste_as_text"), forceReply: true).hint("placeholder.api_secret")),
            ]
        )
        #expect(chat.state.step == .awaitingSecret(draft))
        chat.state.step = .awaitingLabel(Draft(exchange: .bybit))
        #expect(sentKeys(chat.send(.nonTextReceived(messageID: 56, chat: .privateChat))) == ["input.label_as_text"])
        chat.state.step = .idle
        #expect(chat.send(.nonTextReceived(messageID: 57, chat: .privateChat)).isEmpty)
        chat.state.step = .awaitingSecret(draft)
        #expect(chat.send(.nonTextReceived(messageID: 58, chat: .group)).isEmpty)
    }

    /// Every problem the core states has its own text, and no text of the core's reaches the user.
    @Test func everyLabelProblemHasItsOwnText() {
        let problems = [
            "", String(repeating: "x", count: 101), "a\nb", "Ma\u{200B}in",
        ]
        var keys = Set<String>()
        for label in problems {
            do {
                _ = try KeyRules.label(label)
                Issue.record("\(label) should be refused")
            } catch {
                let text = ConversationMachine.errorText(error, exchange: nil)
                #expect(text.key.hasPrefix("input.label."))
                #expect(text.key != "input.label.other")
                #expect(text.arguments["detail"] == nil)
                keys.insert(text.key)
            }
        }
        #expect(keys.count == problems.count)
    }

    // MARK: - First contact

    @Test func startOffersAddingAndTheKeys() {
        var chat = Chat()
        let start = chat.command(.start)
        guard case .send(let reply) = start.first else {
            Issue.record("expected a reply")
            return
        }
        #expect(reply.buttons.flatMap { $0 }.map(\.action) == [.startAdding, .showKeys])
        let adding = chat.press(.startAdding)
        #expect(adding.first == .answerButton(queryID: "q1", alert: nil))
        #expect(sentKeys(adding) == ["add.choose_exchange"])
        #expect(chat.state.step == .choosingExchange)
        #expect(chat.press(.showKeys, query: "q2") == [.answerButton(queryID: "q2", alert: nil), .listKeys])
    }

    @Test func exchangeButtonsAreTwoToARow() {
        var chat = Chat()
        guard case .send(let reply) = chat.command(.add).first else {
            Issue.record("expected the picker")
            return
        }
        #expect(reply.buttons.allSatisfy { $0.count <= 2 })
        #expect(reply.buttons.flatMap { $0 }.count == ExchangeID.allCases.count)
    }
}
