import BotConversation
import ExchangeBotCore
import Foundation
import Testing

@testable import TelegramBot

/// The admin group's cards, digest pages, buttons and flood guard, without a network.
@Suite struct AdminDeskTextsTests {
    let texts = BotTexts(localizer: TextsTests.localizer)
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func key(_ id: Int64, label: String = "Main", createdAgo: TimeInterval = 3 * 3_600, resubmitted: Bool = false)
        -> ExchangeKey
    {
        var key = ExchangeKey(
            id: id,
            userID: 3,
            exchangeName: "binance",
            label: label,
            apiKey: "abcd1234efgh5678",
            status: .pending,
            isActive: false
        )
        key.createdAt = now.addingTimeInterval(-createdAgo - (resubmitted ? 86_400 : 0))
        key.updatedAt = now.addingTimeInterval(-createdAgo)
        key.credentialsChangedAt = resubmitted ? key.updatedAt : key.createdAt
        key.approvedBefore = resubmitted ? true : nil
        return key
    }

    @Test func theCardShowsAgeResubmissionAndATappableNameForUsersWithoutOne() {
        let nameless = User(id: 3, username: nil, telegramID: 777, languageCode: "en")
        let card = texts.request(key: key(12, resubmitted: true), owner: nameless, report: nil, now: now)
        #expect(card.text.contains("<a href=\"tg://user?id=777\">user 3</a> (Telegram id 777)"))
        #expect(card.text.contains("Waiting: 3 h") && card.text.contains("sent again by its owner"))
        #expect(card.buttons.joined().map(\.text) == ["Approve", "Reject"])

        let named = User(id: 4, username: "iv<an", telegramID: 778, languageCode: "en")
        let fresh = texts.request(key: key(13, createdAgo: 30), owner: named, report: nil, now: now)
        #expect(fresh.text.contains("@iv&lt;an (Telegram id 778)") && !fresh.text.contains("tg://"))
        #expect(fresh.text.contains("Waiting: just now") && !fresh.text.contains("sent again"))

        // Sent again after a rejection: new credentials, but never approved, so no mark.
        var rejectedThenResent = key(14, resubmitted: true)
        rejectedThenResent.approvedBefore = nil
        let resent = texts.request(key: rejectedThenResent, owner: named, report: nil, now: now)
        #expect(!resent.text.contains("sent again") && !resent.text.contains("approved before"))
        #expect(card.text.contains("approved before"))
        let line = texts.digestLine(PendingRequest(key: rejectedThenResent, owner: named, report: nil), now: now)
        #expect(!line.contains("again"))
    }

    @Test func ageIsCoarse() {
        let ago = { (seconds: TimeInterval) in
            self.texts.age(since: self.now.addingTimeInterval(-seconds), now: self.now)
        }
        #expect(
            [ago(10), ago(61), ago(3_599), ago(3_600), ago(47 * 3_600), ago(49 * 3_600)] == [
                "just now", "1 min", "59 min", "1 h", "47 h", "2 d",
            ]
        )
        #expect(texts.age(since: nil, now: now) == "unknown")
    }

    @Test func aDigestPageListsTenWithButtonsAndArrows() {
        let owner = User(id: 3, username: "ivan", telegramID: 777, languageCode: "en")
        let requests = (1...23).map { PendingRequest(key: key(Int64($0), label: "K\($0)"), owner: owner, report: nil) }
        let digest = AdminDigest(texts: texts)
        let first = digest.page(0, of: requests, now: now)
        #expect(first.text.contains("23 requests wait") && first.text.contains("13 more requests on the next pages"))
        #expect(first.text.contains("<b>#1</b> @ivan · Binance · «K1» · 3 h"))
        #expect(first.buttons.count == 5 + 1 && first.buttons[0].map(\.data) == ["crd:1", "crd:2"])
        #expect(first.buttons.last!.map(\.text) == ["◀", "1/3", "▶"])
        #expect(first.buttons.last!.map(\.data) == ["pnd:2", "pnd:0", "pnd:1"])
        let last = digest.page(99, of: requests, now: now)
        #expect(last.index == 2 && last.text.contains("<b>#23</b>") && !last.text.contains("more request"))
        let one = digest.page(0, of: Array(requests.prefix(1)), now: now)
        #expect(one.text.contains("1 request waits") && one.buttons.count == 1, "one page: no arrows")
        #expect(digest.page(0, of: [], now: now).text == texts.text("admin.pending_none"))
    }

    @Test func buttonDataParsesOnlyWhatTheBotWrites() {
        let revision = "00000000000000ab"
        let actions: [AdminAction] = [
            .approve(keyID: 5, revision: revision), .reject(keyID: 5, revision: revision),
            .quickReject(keyID: 5, revision: revision, reason: .duplicate), .digestPage(3), .showCard(keyID: 9),
        ]
        for action in actions {
            #expect(AdminAction(data: action.data) == action)
            #expect(action.data.utf8.count <= 64)
        }
        for forged in ["rjq:5:\(revision):nope", "rjq:5:\(revision)", "pnd:-1", "pnd:x", "crd:0", "crd:", "apr:5:zz"] {
            #expect(AdminAction(data: forged) == nil, "\(forged)")
        }
    }

    /// Past 20 cards a minute, one notice with the digest's button goes instead, once a minute.
    @Test func aFloodOfRequestsBecomesOneDigestNotice() throws {
        let burst = RequestBurst()
        let owner = User(id: 3, username: "ivan", telegramID: 777, languageCode: "en")
        func deliver(_ id: Int64, at date: Date) -> [QueuedAction] {
            let event = KeyEvent(outboxID: id, kind: .submitted(nil), key: key(id), owner: owner)
            return burst.throttle(TelegramNotifier.actions(for: event, texts: texts), texts: texts, now: date)
        }
        func cards(_ actions: [QueuedAction]) -> Int {
            actions.filter {
                if case .send(let message) = $0.action, case .adminRequest = message.purpose { return true }
                return false
            }.count
        }
        let first = (1...20).map { deliver(Int64($0), at: now.addingTimeInterval(Double($0))) }
        #expect(first.map(cards) == Array(repeating: 1, count: 20))
        let flood = deliver(21, at: now.addingTimeInterval(30))
        #expect(cards(flood) == 0)
        guard case .send(let notice)? = flood.last?.action else { throw HarnessFailure("no notice") }
        #expect(notice.text.contains("faster") && notice.buttons.joined().map(\.data) == ["pnd:0"])
        #expect(flood.first?.dedupeKey == "event:21:supersede", "older requests of the key are still closed")
        let more = deliver(22, at: now.addingTimeInterval(40))
        #expect(cards(more) == 0 && more.count == 1, "one notice a minute")
        // A minute after the first cards, cards come back.
        #expect(cards(deliver(23, at: now.addingTimeInterval(62))) == 1)
    }
}
