import BotConversation
import ExchangeBotCore
import Foundation
import Testing

@testable import TelegramBot

/// What each key event queues on Telegram, and that a redelivered event queues nothing new.
@Suite struct NotifierTests {
    let texts = BotTexts(localizer: TextsTests.localizer)
    let key = ExchangeKey(
        id: 12,
        userID: 3,
        exchangeName: "okx",
        label: "Main <&>",
        apiKey: "abcd1234efgh5678",
        status: .pending,
        isActive: false
    )
    let owner = User(id: 3, username: "alice", telegramID: 777, languageCode: "en")

    func actions(_ kind: KeyEvent.Kind, owner: User? = nil, by: Caller? = nil) -> [QueuedAction] {
        TelegramNotifier.actions(
            for: KeyEvent(outboxID: 41, kind: kind, key: key, owner: owner ?? self.owner, decidedBy: by),
            texts: texts
        )
    }

    @Test func aSubmittedKeyBecomesARequestWithButtons() throws {
        let report = ValidationReport(
            canTrade: true,
            canWithdraw: false,
            ipRestricted: false,
            warnings: ["no IP whitelist"]
        )
        let queued = actions(.submitted(report))
        #expect(queued.map(\.dedupeKey) == ["event:41:supersede", "event:41:request"])
        guard case .closeRequests(12, let note) = queued[0].action else { throw HarnessFailure("no close first") }
        #expect(note.contains("Replaced"))
        guard case .send(let message) = queued[1].action else { throw HarnessFailure("not a send") }
        #expect(message.destination == .adminChat && message.purpose == .adminRequest(keyID: 12))
        #expect(message.buttons.flatMap { $0 }.map(\.text) == ["Approve", "Reject"])
        #expect(message.buttons.flatMap { $0 }.map(\.data) == ["apr:12:\(key.revision)", "rej:12:\(key.revision)"])
        #expect(message.text.contains("Main &lt;&amp;&gt;") && message.text.contains("abcd…5678"))
        #expect(message.text.contains("no IP whitelist") && message.text.contains("@alice"))
        #expect(!message.text.contains("abcd1234efgh5678"))
    }

    @Test func decisionsCloseTheRequestAndTellTheOwner() throws {
        let approved = actions(.approved(message: "hi <b>"), by: Caller(telegramID: 5, displayName: "@ada"))
        #expect(approved.map(\.dedupeKey) == ["event:41:close", "event:41:owner"])
        guard case .closeRequests(12, let note) = approved[0].action else { throw HarnessFailure("no close") }
        #expect(note.contains("@ada") && note.contains("hi &lt;b&gt;"))
        guard case .send(let notice) = approved[1].action else { throw HarnessFailure("no notice") }
        #expect(notice.destination == .chat(777) && notice.text.contains("approved"))

        let rejected = actions(.rejected(reason: "no"), by: Caller(displayName: "rest-admin"))
        #expect(rejected.count == 2)
        // Deleted while pending (from the bot or over REST): the request says so; the owner knows already.
        let withdrawn = actions(.withdrawn, by: Caller(userID: 3))
        #expect(withdrawn.map(\.dedupeKey) == ["event:41:close"])
        guard case .closeRequests(12, let gone) = withdrawn[0].action else { throw HarnessFailure("no close") }
        #expect(gone.contains("<b>Deleted</b> by its owner"))
        let deactivated = actions(.deactivated(reason: "revoked"))
        #expect(deactivated.map(\.dedupeKey) == ["event:41:owner"])
        // An owner without Telegram (a REST-only user) gets nothing here; the request is still closed.
        let restOnly = User(id: 4, username: "bob")
        #expect(actions(.rejected(reason: "no"), owner: restOnly).map(\.dedupeKey) == ["event:41:close"])
    }

    @Test func theOwnersLanguageIsUsed() throws {
        let russian = User(id: 3, telegramID: 777, languageCode: "ru")
        guard case .send(let notice) = actions(.rejected(reason: "x"), owner: russian).last?.action else {
            throw HarnessFailure("no notice")
        }
        #expect(notice.text.contains("отклонён"))
    }
}
