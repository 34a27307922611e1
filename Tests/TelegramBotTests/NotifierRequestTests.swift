import BotConversation
import ExchangeBotCore
import Foundation
import Testing

@testable import TelegramBot

/// The admin group's side of the hardening: a renamed pending key's request is posted again with its new label, a
/// service fault is one alert to admins and nothing to owners, and an unknown withdrawal right is on the request.
@Suite struct NotifierRequestTests {
    let texts = BotTexts(localizer: TextsTests.localizer)
    let key = ExchangeKey(
        id: 12,
        userID: 3,
        exchangeName: "gate",
        label: "New name",
        apiKey: "abcd1234efgh5678ijkl",
        status: .pending,
        isActive: false
    )
    let owner = User(id: 3, username: "alice", telegramID: 777, languageCode: "en")

    func actions(_ kind: KeyEvent.Kind) -> [QueuedAction] {
        TelegramNotifier.actions(for: KeyEvent(outboxID: 41, kind: kind, key: key, owner: owner), texts: texts)
    }

    @Test func aRenamedPendingKeyIsRepostedWithItsNewLabelAndTheSameButtons() throws {
        let queued = actions(.relabeled(ValidationReport(canTrade: true, canWithdraw: false)))
        #expect(queued.map(\.dedupeKey) == ["event:41:supersede", "event:41:request"])
        guard case .closeRequests(12, let note) = queued[0].action else { throw HarnessFailure("no close first") }
        #expect(note.contains("New name"))
        guard case .send(let request) = queued[1].action else { throw HarnessFailure("not a send") }
        #expect(request.text.contains("New name"))
        #expect(request.buttons.flatMap { $0 }.map(\.data) == ["apr:12:\(key.revision)", "rej:12:\(key.revision)"])
    }

    @Test func aServiceAlertGoesToAdminsOnly() throws {
        let queued = actions(.serviceAlert(code: "secret_unreadable", count: 3))
        #expect(queued.map(\.dedupeKey) == ["event:41:alert"])
        guard case .send(let alert) = queued[0].action else { throw HarnessFailure("not a send") }
        #expect(alert.destination == .adminChat && alert.text.contains("3") && alert.text.contains("BRAIN_CAPITAL"))
    }

    @Test func anUnknownWithdrawalRightIsShownOnTheRequest() throws {
        let unknown = texts.request(key: key, owner: owner, report: ValidationReport(canTrade: true))
        #expect(unknown.text.contains("withdrawal right UNKNOWN"))
        let known = texts.request(key: key, owner: owner, report: ValidationReport(canTrade: true, canWithdraw: false))
        #expect(!known.text.contains("withdrawal right UNKNOWN"))
    }
}
