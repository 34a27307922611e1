import BotConversation
import ExchangeBotCore
import Foundation
import Synchronization
import TestSupport
import Testing

@testable import TelegramBot

/// The admin group's digest and the selective reject, through the real `run` wiring against the fake Bot API.
@Suite(.serialized) struct AdminDigestEndToEndTests {
    static let ivan = FakeUser(id: 6_000_001, firstName: "Ivan", username: "ivan")
    /// A user without a username: admins reach them through a `tg://user` link.
    static let nameless = FakeUser(id: 6_000_002, firstName: "Nadia")

    /// Stores `count` pending keys before the bot starts (Ivan's, every fifth Nadia's; odd ones without an IP
    /// whitelist). With `announced`, their events are marked delivered, so no card is posted for them at start.
    static func seed(_ harness: BotHarness, count: Int, announced: Bool) async throws -> [Int64] {
        let stores = try harness.stores()
        let now = Date()
        var owners = [Int64]()
        for user in [ivan, nameless] {
            let found = try await stores.bot.userAndConversation(
                telegramID: user.id,
                username: user.username,
                languageCode: "en",
                createUser: true,
                at: now
            )
            owners.append(try #require(found.user).id)
        }
        var ids = [Int64]()
        for index in 1...count {
            let submission = StoredKeySubmission(
                userID: owners[index.isMultiple(of: 5) ? 1 : 0],
                label: "K\(index)",
                credentials: Credentials(
                    exchange: .binance,
                    apiKey: "digestKey\(index)abcdefghijklmnopqrstuvwxyz",
                    apiSecret: SecretString("secret-\(index)-abcdefghijklmnopqrstuvwxyz")
                ),
                report: ValidationReport(
                    canTrade: true,
                    canWithdraw: false,
                    ipRestricted: index.isMultiple(of: 2),
                    permissions: ["SPOT"],
                    warnings: []
                ),
                at: now.addingTimeInterval(Double(index) - 4 * 3_600)
            )
            let outcome = try await stores.exchange.insertKey(
                submission,
                audit: AuditEntry(at: now, caller: .system, action: .addKey, keyID: nil, outcome: .succeeded)
            )
            guard case .inserted(let key, _) = outcome else { throw HarnessFailure("key \(index) not stored") }
            ids.append(key.id)
        }
        if announced {
            for event in try await stores.exchange.undeliveredBatch(limit: 100, at: now).events {
                try await stores.exchange.markDelivered(outboxID: event.outboxID, at: now)
            }
        }
        return ids
    }

    static func current(_ message: FakeSentMessage, _ bot: BotHarness) -> FakeSentMessage {
        bot.telegram.botMessages(in: message.chatID).last { $0.messageID == message.messageID } ?? message
    }

    @Test func twentyFivePendingRequestsArePagedInOneMessage() async throws {
        let seeded = Mutex<[Int64]>([])
        let bot = try await BotHarness.start(
            exchanges: [],
            prepare: { harness in
                let ids = try await Self.seed(harness, count: 25, announced: true)
                seeded.withLock { $0 = ids }
            }
        )
        defer { Task { await bot.stop() } }
        let ids = seeded.withLock { $0 }
        let group = bot.adminGroup.id

        let before = bot.telegram.botMessages(in: group).count
        bot.telegram.sendUserMessage(from: bot.listedAdmin, chat: bot.adminGroup, text: "/pending")
        let digest = try await bot.waitForBotMessage(in: group, containing: "25 requests wait for a decision")
        // One message, whatever the number of requests.
        try await Task.sleep(for: .milliseconds(300))
        #expect(bot.telegram.botMessages(in: group).count == before + 1)
        #expect(digest.text.contains("#\(ids[0]) @ivan · Binance · «K1» · no IP · "))
        #expect(digest.rawText.contains("<a href=\"tg://user?id=\(Self.nameless.id)\">"), "Nadia is a link")
        #expect(ids[0..<10].allSatisfy { digest.text.contains("#\($0) ") })
        #expect(!digest.text.contains("#\(ids[10]) "))
        #expect(digest.text.contains("15 more requests on the next pages"))
        #expect(digest.button("1/3") != nil && digest.inlineKeyboard.joined().count == 10 + 3)

        // ▶ turns the page in place.
        _ = bot.telegram.pressButton(from: bot.groupAdmin, on: digest, caption: "▶")
        #expect(await bot.telegram.waitUntil { Self.current(digest, bot).button("2/3") != nil })
        let second = Self.current(digest, bot)
        #expect(ids[10..<20].allSatisfy { second.text.contains("#\($0) ") } && !second.text.contains("#\(ids[0]) "))
        #expect(second.text.contains("5 more requests on the next pages"))
        _ = bot.telegram.pressButton(from: bot.groupAdmin, on: second, caption: "▶")
        #expect(await bot.telegram.waitUntil { Self.current(digest, bot).button("3/3") != nil })
        let third = Self.current(digest, bot)
        #expect(ids[20..<25].allSatisfy { third.text.contains("#\($0) ") })
        #expect(!third.text.contains("more request"))
        #expect(bot.telegram.botMessages(in: group).count == before + 1, "pages are edits, not messages")

        // A request's button posts its card, which decides it as before.
        let wanted = ids[22]
        let cardButton = try #require(third.inlineKeyboard.joined().first { $0.text.hasPrefix("#\(wanted) ") })
        _ = bot.telegram.pressButton(from: bot.groupAdmin, on: third, caption: cardButton.text)
        let card = try await bot.waitForBotMessage(in: group) {
            $0.text.contains("Key #\(wanted) awaits approval") && $0.button("Approve") != nil
        }
        #expect(card.text.contains("Label: K23") && card.text.contains("Waiting: "))
        _ = bot.telegram.pressButton(from: bot.listedAdmin, on: card, caption: "Approve")
        #expect(
            await bot.telegram.waitUntil {
                let now = Self.current(card, bot)
                return now.text.contains("Approved by @ada") && now.inlineKeyboard.isEmpty
            }
        )
        let (exchangeStore, _) = try bot.stores()
        #expect(try await exchangeStore.key(id: wanted)?.status == .approved)

        // /pending lists what is still open.
        bot.telegram.sendUserMessage(from: bot.listedAdmin, chat: bot.adminGroup, text: "/pending")
        let again = try await bot.waitForBotMessage(in: group, containing: "24 requests wait for a decision")
        _ = bot.telegram.pressButton(from: bot.groupAdmin, on: again, caption: "◀")
        #expect(await bot.telegram.waitUntil { Self.current(again, bot).button("3/3") != nil })
        #expect(!Self.current(again, bot).text.contains("#\(wanted) "))
        try await bot.stopBot()
    }

    @Test func onlyTheAdminAskedGivesTheReasonAndQuickReasonsReject() async throws {
        let seeded = Mutex<[Int64]>([])
        let bot = try await BotHarness.start(
            exchanges: [],
            prepare: { harness in
                let ids = try await Self.seed(harness, count: 2, announced: false)
                seeded.withLock { $0 = ids }
            }
        )
        defer { Task { await bot.stop() } }
        let ids = seeded.withLock { $0 }
        let group = bot.adminGroup.id
        let (exchangeStore, _) = try bot.stores()

        // Grace presses Reject: the prompt mentions her, opens the reply box for her alone, with a placeholder.
        let first = try await bot.waitForBotMessage(in: group) { $0.text.contains("Key #\(ids[0]) awaits") }
        _ = bot.telegram.pressButton(from: bot.groupAdmin, on: first, caption: "Reject")
        let prompt = try await bot.waitForBotMessage(in: group) { $0.forcesReply && $0.text.contains("#\(ids[0])") }
        #expect(prompt.text.contains("reason") && prompt.text.hasPrefix("@grace"))
        #expect(prompt.replyMarkup?["selective"]?.boolValue == true)
        #expect(prompt.replyMarkup?["input_field_placeholder"]?.stringValue == "Reason for the user")
        // The card now offers the quick reasons.
        #expect(await bot.telegram.waitUntil { Self.current(first, bot).button("No IP whitelist") != nil })
        try await bot.waitForReasonPromptRecord(prompt)

        // Ada, an admin too, replies to Grace's prompt: not taken as the reason.
        bot.telegram.sendUserMessage(
            from: bot.listedAdmin,
            chat: bot.adminGroup,
            text: "ada's words",
            replyTo: prompt.messageID
        )
        _ = try await bot.waitForBotMessage(in: group, containing: "Only the admin who pressed Reject")
        #expect(try await exchangeStore.key(id: ids[0])?.status == .pending)

        bot.telegram.sendUserMessage(
            from: bot.groupAdmin,
            chat: bot.adminGroup,
            text: "grace's words",
            replyTo: prompt.messageID
        )
        #expect(await bot.telegram.waitUntil { Self.current(prompt, bot).text.contains("reason was sent") })
        let rejected = try await exchangeStore.key(id: ids[0])
        #expect(rejected?.status == .rejected && rejected?.errorMessage == "grace's words")
        #expect(await bot.telegram.waitUntil { Self.current(first, bot).text.contains("Rejected by @grace") })

        // A quick reason, pressed by another admin than the one who pressed Reject, rejects at once.
        let second = try await bot.waitForBotMessage(in: group) { $0.text.contains("Key #\(ids[1]) awaits") }
        _ = bot.telegram.pressButton(from: bot.groupAdmin, on: second, caption: "Reject")
        let secondPrompt = try await bot.waitForBotMessage(in: group) {
            $0.forcesReply && $0.text.contains("#\(ids[1])")
        }
        try await bot.waitForReasonPromptRecord(secondPrompt)
        #expect(await bot.telegram.waitUntil { Self.current(second, bot).button("No IP whitelist") != nil })
        _ = bot.telegram.pressButton(from: bot.listedAdmin, on: Self.current(second, bot), caption: "No IP whitelist")
        #expect(
            await bot.telegram.waitUntil {
                let card = Self.current(second, bot)
                return card.text.contains("Rejected by @ada") && card.inlineKeyboard.isEmpty
            }
        )
        #expect(try await exchangeStore.key(id: ids[1])?.errorMessage?.contains("no IP whitelist") == true)
        #expect(await bot.telegram.waitUntil { Self.current(secondPrompt, bot).text.contains("reason was sent") })
        try await bot.stopBot()
    }
}
