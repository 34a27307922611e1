import BotConversation
import ExchangeBotCore
import Foundation
import Testing

@testable import TelegramBot

/// The owner's notices: localized, with the next step and the buttons that take it; and the card edits the
/// conversation asks for, as queued.
@Suite struct OwnerNoticeTests {
    let texts = BotTexts(localizer: TextsTests.localizer)
    let key = ExchangeKey(
        id: 12,
        userID: 3,
        exchangeName: "okx",
        label: "Main <&>",
        apiKey: "abcd1234efgh5678",
        status: .approved,
        isActive: false
    )

    func notice(_ kind: KeyEvent.Kind, language: String = "en") throws -> OutgoingMessage {
        let owner = User(id: 3, username: "alice", telegramID: 777, languageCode: language)
        let queued = TelegramNotifier.actions(
            for: KeyEvent(outboxID: 41, kind: kind, key: key, owner: owner),
            texts: texts
        )
        guard let owned = queued.first(where: { $0.dedupeKey == "event:41:owner" }),
            case .send(let message) = owned.action
        else { throw HarnessFailure("no owner notice in \(queued)") }
        #expect(message.destination == .chat(777))
        return message
    }

    @Test func anApprovalOffersActivateWithTheCardsOwnData() throws {
        let approved = try notice(.approved(message: "Welcome <b>"))
        #expect(approved.text.contains("approved") && approved.text.contains("Main &lt;&amp;&gt;"))
        #expect(approved.text.contains("Welcome &lt;b&gt;") && approved.text.contains("Press Activate"))
        #expect(approved.buttons == [[OutgoingButton(text: "Activate", data: ButtonAction.activate(keyID: 12).data)]])
        #expect(approved.buttons[0][0].data == "act:12")
        let russian = try notice(.approved(message: nil), language: "ru")
        #expect(russian.text.contains("одобрен") && !russian.text.contains("Activate"))
        #expect(russian.buttons == [[OutgoingButton(text: "Включить", data: "act:12")]])
    }

    @Test func aRejectionGivesTheReasonANextStepUpdateAndDelete() throws {
        let rejected = try notice(.rejected(reason: "withdrawals <on>"))
        #expect(rejected.text.contains("rejected") && rejected.text.contains("withdrawals &lt;on&gt;"))
        #expect(rejected.text.contains("send new credentials with Update keys"))
        #expect(rejected.buttons.joined().map(\.text) == ["Update keys", "Delete"])
        #expect(rejected.buttons.joined().map(\.data) == ["upd:12:okx", "del:12"])
        let russian = try notice(.rejected(reason: "x"), language: "ru")
        #expect(russian.text.contains("отклонён") && russian.text.contains("«Обновить ключи»"))
        #expect(!russian.text.contains("Update keys"))
        #expect(russian.buttons.joined().map(\.text) == ["Обновить ключи", "Удалить"])
    }

    @Test(arguments: HealthReason.refusals) func aDeactivationSaysWhyForAKeyThatUsedToWork(refusal: CredentialError)
        throws
    {
        let english = try notice(.deactivated(reason: refusal.message))
        let reason = texts.text("status.health.\(refusal.code)")
        #expect(english.text.contains(reason) && !reason.hasPrefix("status."))
        #expect(!english.text.contains(refusal.message), "the text for adding a key is not repeated")
        #expect(english.text.contains("deactivated") && english.text.contains("no trades are copied to it"))
        #expect(english.buttons == [[OutgoingButton(text: "Update keys", data: "upd:12:okx")]])
        let russian = try notice(.deactivated(reason: refusal.message), language: "ru")
        let russianReason = texts.text("status.health.\(refusal.code)", language: "ru")
        #expect(russianReason != reason && russian.text.contains(russianReason))
        #expect(russian.text.contains("сделки на него не копируются"))
        #expect(!russian.text.contains("Update keys") && !russian.text.contains(refusal.message))
        #expect(russian.buttons == [[OutgoingButton(text: "Обновить ключи", data: "upd:12:okx")]])
    }

    @Test func aReasonWrittenElsewhereIsShownEscaped() throws {
        let other = try notice(.deactivated(reason: "revoked <by> ops"))
        #expect(other.text.contains("revoked &lt;by&gt; ops"))
    }

    @Test func aCardEditIsQueuedForThePressedMessage() {
        let reply = ConversationMachine.card(key)
        let action = texts.edit(55, into: reply, in: 777, language: "en")
        guard case .editMessage(55, let message) = action else {
            Issue.record("not an edit: \(action)")
            return
        }
        #expect(action.lane == 777 && action.keyID == nil)
        #expect(message.destination == .chat(777))
        #expect(message.text.hasPrefix("<b>OKX</b> · «Main &lt;&amp;&gt;» · <code>abcd…5678</code>\n"))
        #expect(message.text.contains("This key is inactive"))
        #expect(message.buttons.joined().map(\.text) == ["Activate", "Update keys", "Delete"])

        // A reason is the admin's or another system's words: escaped, and the status reads in the owner's language.
        var rejected = key
        rejected.status = .rejected
        rejected.errorMessage = "<b>no</b> IP & more"
        guard
            case .editMessage(_, let russian) = texts.edit(
                56,
                into: ConversationMachine.card(rejected),
                in: 777,
                language: "ru"
            )
        else { return }
        #expect(russian.text.contains("&lt;b&gt;no&lt;/b&gt; IP &amp; more") && russian.text.contains("Отклонён"))
        #expect(!russian.text.contains("REJECTED") && !russian.text.contains("Update keys"))
        #expect(russian.buttons.joined().map(\.text) == ["Обновить ключи", "Удалить"])
    }
}
