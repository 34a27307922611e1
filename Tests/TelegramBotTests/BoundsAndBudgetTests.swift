import BotConversation
import ExchangeBotApp
import ExchangeBotCore
import Foundation
import Synchronization
import TelegramAPIClient
import Testing

@testable import TelegramBot

/// The bot's pieces of issue 9 that need no network: bounded admin requests, the inbound budget, bounded chat
/// queues, and `BOT_INBOUND_LIMIT`.
@Suite struct BoundsAndBudgetTests {
    let texts = BotTexts(localizer: TextsTests.localizer)

    /// Item 13: what users and exchanges wrote is cut before escaping, so the request stays whole HTML and short;
    /// before, the escaped text was cut at 3,896 characters, wherever that fell (inside `&amp;`, say).
    @Test func anAdminRequestBoundsUserAndExchangeTextsAndKeepsItsHTMLWhole() throws {
        let key = ExchangeKey(
            id: 9,
            userID: 1,
            exchangeName: String(repeating: "&", count: 500),
            label: String(repeating: "&", count: 1_000),
            apiKey: "KEY-0123456789abcdef",
            status: .pending,
            isActive: false
        )
        let report = ValidationReport(
            canTrade: true,
            canWithdraw: true,
            permissions: Array(repeating: "<perm>&", count: 500),
            warnings: Array(repeating: "a long & winding warning from the exchange", count: 300)
        )
        let owner = ExchangeBotCore.User(id: 1, username: String(repeating: "&", count: 300), telegramID: 77)
        let request = texts.request(key: key, owner: owner, report: report)
        #expect(request.text.count < 3_000, "every value is bounded: \(request.text.count)")
        // Every `&` starts an entity: none was cut in half.
        let pattern = try Regex("&(?!amp;|lt;|gt;|quot;|#39;|#x27;)")
        #expect(request.text.firstMatch(of: pattern) == nil)
        #expect(request.text.contains("…"))
        #expect(request.text.contains("WITHDRAW"), "what we found is never cut off by the exchange's long list")
    }

    /// Item 14: a user's budget per window, one notice when it runs out, and a fresh budget in the next window.
    @Test func theInboundBudgetAdmitsThenNoticesOnceThenStaysQuiet() {
        let budget = InboundBudget(limit: 3, window: .seconds(60))
        let start = ContinuousClock.now
        let answers = (0..<6).map { _ in budget.admit(1, now: start) }
        #expect(answers == [.admitted, .admitted, .admitted, .refusedWithNotice, .refused, .refused])
        #expect(budget.admit(2, now: start) == .admitted, "per user")
        #expect(budget.admit(1, now: start + .seconds(61)) == .admitted, "a new window")
    }

    /// Item 14: a chat's queue holds a bounded number of waiting updates; a check's verdict is never refused.
    @Test func aChatQueueIsBounded() async {
        let queues = ChatQueues(maxWaiting: 2)
        let gate = Gate()
        #expect(await queues.enqueue(1) { await gate.wait() })
        #expect(await queues.enqueue(1) {})
        #expect(await queues.enqueue(1) {} == false, "full")
        #expect(await queues.enqueue(2) {}, "other chats are not held up")
        #expect(await queues.enqueue(1, bounded: false) {}, "a verdict goes in anyway")
        await gate.open()
        await queues.drain()
        #expect(await queues.enqueue(1) {}, "room again once handled")
        await queues.drain()
    }

    @Test func theInboundLimitIsReadFromTheEnvironment() throws {
        let base = [
            "TELEGRAM_BOT_TOKEN": "1:abc", "ADMIN_CHAT_ID": "-100", "BRAIN_CAPITAL_MASTER_KEY": "x",
        ]
        let standard = try #require(try Environment(base, workingDirectory: "/").telegram())
        #expect(standard.inboundLimit == RateLimit(requests: 20, perSeconds: 60))
        let custom = try Environment(base.merging(["BOT_INBOUND_LIMIT": "5/second"]) { $1 }, workingDirectory: "/")
            .telegram()
        #expect(custom?.inboundLimit == RateLimit(requests: 5, perSeconds: 1))
        #expect(throws: ConfigurationError.self) {
            try Environment(base.merging(["BOT_INBOUND_LIMIT": "lots"]) { $1 }, workingDirectory: "/").telegram()
        }
    }
}

/// Holds work until opened.
actor Gate {
    private var isOpen = false
    private var waiters = [CheckedContinuation<Void, Never>]()

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        for waiter in waiters { waiter.resume() }
        waiters = []
    }
}
