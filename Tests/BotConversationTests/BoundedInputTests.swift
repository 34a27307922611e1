import BotConversation
import ExchangeBotCore
import Foundation
import Testing

/// What the conversation shows of untrusted text: nothing of a value that may be a secret, bounded exchange texts,
/// and clear answers to refusals (issue 9, items 10, 13 and 14).
@Suite struct BoundedInputTests {
    /// Every text argument of every reply in `effects`.
    private func shownArguments(_ effects: [ConversationEffect]) -> [String] {
        effects.flatMap { effect -> [String] in
            guard case .send(let reply) = effect else { return [] }
            return Array(reply.text.arguments.values)
        }
    }

    private func chatAtKeyStep(_ exchange: ExchangeID) -> Chat {
        var chat = Chat()
        _ = chat.command(.add)
        _ = chat.press(.chooseExchange(exchange))
        _ = chat.text("Main")
        return chat
    }

    /// A secret pasted at the API-key prompt (a common slip) is deleted, and not even its ends are shown back.
    @Test(arguments: [ExchangeID.binance, .kraken, .okx])
    func aSecretPastedAtTheKeyPromptIsNotEchoed(exchange: ExchangeID) {
        var chat = chatAtKeyStep(exchange)
        let secret = "Zq8vT1nM0pLkWs3yRb6cXe2dHf5gJa9uVi4oKt7wQr1EnS0mYl3zBx6CvP2hTj8"
        let effects = chat.text(secret)
        #expect(effects.first == .deleteMessage(messageID: chat.nextMessageID))
        for argument in shownArguments(effects) {
            #expect(!argument.contains(secret.prefix(4)) && !argument.contains(secret.suffix(4)))
        }
    }

    /// Bidi overrides and other format characters make a label read as something else in the admin group: the
    /// label is asked for again.
    /// A key pasted where the bot asks for none (no /add under way, or a confirmation waiting) is deleted all the
    /// same, and the user is told why; ordinary text there only gets the hint.
    @Test(arguments: ["hbVz9KqP2mXw7RtY4nLc8JdF", "-----BEGIN EC PRIVATE KEY-----", #"{"name":"n","privateKey":"k"}"#])
    func aKeyOutsideAddIsDeleted(text: String) {
        var chat = Chat()
        let effects = chat.text(text)
        #expect(effects.first == .deleteMessage(messageID: chat.nextMessageID))
        #expect(sentKeys(effects) == ["input.key_outside_add"])
        #expect(chat.state.step == .idle)
        _ = chat.command(.add)
        let choosing = chat.text(text)
        #expect(choosing.first == .deleteMessage(messageID: chat.nextMessageID))
        #expect(sentKeys(choosing).first == "add.choose_first")
    }

    /// What a quiet user's message loses: exactly what the conversation would delete, and the state stays.
    @Test func deletionsIfReadAreTheConversationsOwn() {
        let idle = ConversationState(updatedAt: Date(timeIntervalSince1970: 1_700_000_000))
        let now = idle.updatedAt
        #expect(
            ConversationMachine.deletions(
                ifRead: .textReceived("hbVz9KqP2mXw7RtY4nLc8JdF", messageID: 7, chat: .privateChat),
                state: idle,
                now: now
            ) == [7]
        )
        #expect(
            ConversationMachine.deletions(
                ifRead: .textReceived("hi", messageID: 8, chat: .privateChat),
                state: idle,
                now: now
            )
            .isEmpty
        )
        var chat = Chat()
        _ = chat.command(.add)
        _ = chat.press(.chooseExchange(.binance))
        _ = chat.text("Main")
        let asking = chat.state
        #expect(
            ConversationMachine.deletions(
                ifRead: .nonTextReceived(messageID: 9, chat: .privateChat),
                state: asking,
                now: now
            )
                == [9]
        )
        #expect(
            ConversationMachine.deletions(
                ifRead: .textReceived("plain words", messageID: 10, chat: .privateChat),
                state: asking,
                now: now
            )
                == [10]
        )
        #expect(chat.state == asking)
    }

    @Test func ordinaryTextOutsideAddIsKept() {
        var chat = Chat()
        let effects = chat.text("hello, how do I start?")
        #expect(!effects.contains { if case .deleteMessage = $0 { true } else { false } })
        #expect(sentKeys(effects) == ["hint.commands"])
    }

    @Test(arguments: ["invoice\u{202E}fdp.exe", "Ma\u{200B}in", "a\u{2028}b", "\u{2066}x\u{2069}", "tag\u{E0041}"])
    func aLabelWithInvisibleCharactersIsAskedAgain(label: String) {
        var chat = Chat()
        _ = chat.command(.add)
        _ = chat.press(.chooseExchange(.binance))
        let effects = chat.text(label)
        guard case .send(let reply) = effects.first else {
            Issue.record("expected a reply")
            return
        }
        #expect(reply.text.key.hasPrefix("input.label.") && reply.forceReply)
        guard case .awaitingLabel = chat.state.step else {
            Issue.record("the label is asked again, got \(chat.state.step)")
            return
        }
    }

    @Test func anEmojiSequenceIsAFineLabel() throws {
        #expect(try KeyRules.label("👨‍💻 Work") == "👨‍💻 Work")
        #expect(throws: ApprovalError.self) { try KeyRules.label("a\u{200D}b") }
    }

    /// An exchange's error text reaches the user bounded, however long the exchange made it.
    @Test func exchangeTextsAreBounded() {
        let long = String(repeating: "<b>&", count: 2_000)
        let text = ConversationMachine.errorText(
            .validationFailed(.unexpectedResponse(long)),
            exchange: .gate
        )
        let detail = try? #require(text.arguments["detail"])
        #expect((detail?.count ?? .max) <= EchoBound.exchangeText)
        #expect(detail?.hasSuffix("…") == true)
    }

    /// The key-check budget: a clear answer with the wait, and the conversation back at rest (no secret kept), so
    /// the next `/add` starts afresh.
    @Test func tooManyKeyChecksIsExplainedAndTheConversationRests() {
        var chat = Chat()
        chat.state.step = .checking(exchange: .binance, keyID: nil)
        let effects = chat.send(.submissionFinished(.failure(.tooManyKeyChecks(retryAfterSeconds: 2_950))))
        guard case .replaceChecking(let reply) = effects.first else {
            Issue.record("expected a reply")
            return
        }
        #expect(reply.text.key == "error.too_many_key_checks")
        #expect(reply.text.arguments["minutes"] == "50")
        #expect(chat.state.step == .idle)
        #expect(sentKeys(chat.command(.add)) == ["add.choose_exchange"])
        // An absurd wait is shown as at most a day.
        for seconds in [10_000_000, Int.max, Int.min] {
            let huge = ConversationMachine.errorText(.tooManyKeyChecks(retryAfterSeconds: seconds), exchange: nil)
            #expect(huge.arguments["minutes"] == (seconds < 0 ? "1" : "1440"))
            #expect(!ApprovalError.tooManyKeyChecks(retryAfterSeconds: seconds).message.isEmpty)
        }
    }
}
