import BotConversation
import ExchangeBotCore
import Foundation
import Testing

/// The key buttons and their outcomes in every state of the conversation, the health reasons' texts, and the
/// locale keys the cards use.
@Suite struct KeyCardMatrixTests {
    static let draft = Draft(exchange: .okx, label: "L", apiKey: "k", apiSecret: SecretString("s3cr3t"))
    static let steps: [ConversationState.Step] = [
        .idle, .choosingExchange, .awaitingLabel(Draft(exchange: .okx)), .awaitingAPIKey(Draft(exchange: .okx)),
        .awaitingSecret(Draft(exchange: .okx, label: "L", apiKey: "k")), .awaitingPassphrase(draft),
        .checking(exchange: .okx, keyID: nil), .confirmingDelete(keyID: 9), .confirmingDelete(keyID: 8),
        .confirmingLink(codeHash: Data(repeating: 1, count: 32)), .confirmingUnlink,
    ]
    static let key = KeyCardTests.key(9, .approved, active: true)
    static let buttons: [ButtonAction] = [
        .activate(keyID: 9), .deactivate(keyID: 9), .updateKeys(keyID: 9, exchange: .binance), .delete(keyID: 9),
        .confirmDelete(keyID: 9), .cancelDelete(keyID: 9), .moreKeys(from: 10),
    ]
    static let outcomes: [ConversationEvent.ActionOutcome] = [
        .activeChanged(key), .shown(key), .removed(key), .deleted(keyID: 9), .failed(.keyNotFound),
        .failed(.storageFailure),
    ]

    static func handle(_ event: ConversationEvent, in step: ConversationState.Step)
        -> (step: ConversationState.Step, effects: [ConversationEffect])
    {
        var state = ConversationState(step: step, updatedAt: Date(timeIntervalSince1970: 0))
        let effects = ConversationMachine.handle(event, state: &state, now: Date(timeIntervalSince1970: 10))
        return (state.step, effects)
    }

    @Test(arguments: steps) func keyButtonsInEveryState(step: ConversationState.Step) {
        let checking = if case .checking = step { true } else { false }
        for action in Self.buttons {
            let (after, effects) = Self.handle(.buttonPressed(action, queryID: "q"), in: step)
            guard case .answerButton("q", let alert) = effects.first else {
                Issue.record("\(action) in \(step) was not answered first")
                continue
            }
            let acted = alert == nil
            switch action {
            case .activate, .deactivate, .moreKeys:
                // Reading or toggling a key never touches a draft.
                #expect(acted && after == step, "\(action) in \(step)")
            case .updateKeys:
                #expect(acted == !checking, "\(action) in \(step)")
                #expect(after == (checking ? step : .awaitingAPIKey(Draft(exchange: .binance, keyID: 9))))
            case .delete:
                #expect(acted == !checking && effects.dropFirst() == (checking ? [] : [.showKey(keyID: 9)]))
                #expect(after == (checking ? step : .confirmingDelete(keyID: 9)))
            case .confirmDelete, .cancelDelete:
                // Only under the confirmation this conversation shows, for this key.
                let confirming = step == .confirmingDelete(keyID: 9)
                #expect(acted == confirming, "\(action) in \(step)")
                #expect(after == (confirming ? .idle : step))
                if confirming {
                    let next: ConversationEffect =
                        if case .confirmDelete = action { .deleteKey(keyID: 9) } else { .showKey(keyID: 9) }
                    #expect(Array(effects.dropFirst()) == [next])
                }
            default:
                Issue.record("not a key button: \(action)")
            }
            if !acted { #expect(alert == .init("button.stale") && effects.count == 1) }
        }
    }

    @Test(arguments: steps) func outcomesEditThePressedMessageInEveryState(step: ConversationState.Step) {
        for outcome in Self.outcomes {
            let (after, effects) = Self.handle(.actionFinished(outcome), in: step)
            #expect(effects.count == 1, "\(outcome) in \(step)")
            switch (outcome, effects.first) {
            case (.failed(let error), .send(let reply)?):
                #expect(reply.text.key == "error.\(error.code)")
                // A key gone while its deletion was being confirmed ends the confirmation.
                let ended = error == .keyNotFound && { if case .confirmingDelete = step { true } else { false } }()
                #expect(after == (ended ? .idle : step))
            case (.shown, .editPressedMessage(let reply)?):
                #expect(reply.text.key == (step == .confirmingDelete(keyID: 9) ? "delete.confirm" : "keys.card"))
                #expect(after == step)
            case (_, .editPressedMessage(let reply)?):
                #expect(!reply.text.key.hasPrefix("error."), "\(outcome)")
                #expect(after == step)
            default:
                Issue.record("\(outcome) in \(step) gave \(effects)")
            }
            for case .editPressedMessage(let reply) in effects {
                let values = ([reply.text] + reply.lines).flatMap(\.arguments.values)
                #expect(!values.contains { $0.contains("s3cr3t") })
            }
        }
        for listed in [ConversationEvent.keysListed([Self.key]), .keysPageListed([Self.key], from: 0)] {
            #expect(Self.handle(listed, in: step).step == step)
        }
    }

    @Test func everyHealthRefusalHasItsOwnTextAndTransientOnesNone() {
        let all: [CredentialError] = [
            .invalidAPIKey, .invalidKeyOrIP, .authenticationFailed, .invalidSecret, .invalidPassphrase,
            .ipNotWhitelisted, .clockSkew, .tradePermissionMissing, .permissionDenied, .withdrawalEnabled,
            .withdrawalUnknown, .exchangeUnavailable("down"), .rateLimited, .timeout, .unexpectedResponse("?"),
            .sandboxUnavailable(.kraken),
        ]
        // A health check deactivates a key for exactly the refusals that are not transient.
        #expect(Set(HealthReason.refusals) == Set(all.filter { !$0.isTransient }))
        for refusal in HealthReason.refusals {
            #expect(HealthReason.refusal(for: refusal.message) == refusal)
            #expect(HealthReason.text(for: refusal.message) == Reply.Text("status.health.\(refusal.code)"))
        }
        #expect(HealthReason.text(for: "x") == Reply.Text("status.health.other", ["reason": "x"]))
        let long = String(repeating: "y", count: 5_000)
        #expect((HealthReason.text(for: long).arguments["reason"]?.count ?? 0) <= EchoBound.exchangeText)
    }

    /// Every text a card, confirmation, deletion notice or pager uses exists in both languages, with the same
    /// placeholders, and every value the machine fills in has its placeholder.
    @Test func everyCardTextIsTranslatedWithItsPlaceholders() {
        var keys = HealthReason.refusals.map { KeyCardTests.key(1, .approved, error: $0.message) }
        keys += [
            KeyCardTests.key(2, .approved, error: "elsewhere"), KeyCardTests.key(3, .approved, active: true),
            KeyCardTests.key(4, .approved), KeyCardTests.key(5, .pending), KeyCardTests.key(6, .rejected),
            KeyCardTests.key(7, .rejected, error: "why"),
        ]
        var replies = keys.map(ConversationMachine.card)
        var chat = Chat()
        for key in keys {
            chat.state.step = .confirmingDelete(keyID: key.id)
            for outcome in [ConversationEvent.ActionOutcome.shown(key), .removed(key), .deleted(keyID: key.id)] {
                for case .editPressedMessage(let reply) in chat.send(.actionFinished(outcome)) { replies.append(reply) }
            }
        }
        for case .send(let reply) in chat.send(.keysListed(keys + keys)) { replies.append(reply) }
        replies.append(ConversationMachine.pager(first: 0, last: 10, total: 25, more: false))
        var texts = replies.flatMap { [$0.text] + $0.lines + $0.buttons.joined().map(\.caption) }
        texts.append(Reply.Text("keys.none"))
        let english = LocaleTests.locale("en")
        let russian = LocaleTests.locale("ru")
        #expect(Set(texts.map(\.key)).count > 25)
        for text in texts {
            guard let en = english[text.key], let ru = russian[text.key] else {
                Issue.record("\(text.key) is missing in a locale")
                continue
            }
            #expect(Self.placeholders(en) == Self.placeholders(ru), "\(text.key)")
            #expect(Set(text.arguments.keys).isSubset(of: Self.placeholders(en)), "\(text.key)")
            #expect(Self.placeholders(en).isSubset(of: Set(text.arguments.keys)), "\(text.key) left unfilled")
        }
        // Russian texts name the buttons by their Russian captions.
        for (key, value) in russian where key.hasPrefix("keys.") || key.hasPrefix("status.health.") {
            #expect(!value.contains("Update keys") && !value.contains("Activate"), "\(key)")
        }
    }

    static func placeholders(_ template: String) -> Set<String> {
        Set(template.matches(of: /\{([a-z_]+)\}/).map { String($0.output.1) })
    }
}
