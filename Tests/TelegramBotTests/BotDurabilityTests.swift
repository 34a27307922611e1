import ExchangeBotCore
import ExchangeBotStorage
import Foundation
import GRDB
import TestSupport
import Testing

/// What a failing database must not cause (issue 9, items 16 and 17). Failures are injected with SQLite triggers
/// on the bot's tables, from a second connection, as a locked or full disk would refuse those writes.
@Suite(.serialized) struct BotDurabilityTests {
    let frank = FakeUser(id: 5_000_301, firstName: "Frank", username: "frank")

    func inject(_ bot: BotHarness, _ sql: String) async throws {
        try await bot.database().writer.write { db in try db.execute(sql: sql) }
    }

    static let failMarkingSent = """
        CREATE TRIGGER test_fail_finish BEFORE UPDATE OF finished_at ON bot_outgoing
        BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;
        """
    static let failRemovingUpdates = """
        CREATE TRIGGER test_fail_inbox BEFORE DELETE ON bot_inbox
        BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;
        """

    /// Item 16: Telegram took the message but it could not be marked sent. It is not sent again; the chat's next
    /// message waits until the mark is written, then goes.
    @Test func aMessageWhoseSentMarkFailsIsNotSentAgain() async throws {
        let bot = try await BotHarness.start(exchanges: [])
        defer { Task { await bot.stop() } }
        try await inject(bot, Self.failMarkingSent)
        bot.say(frank, "/start")
        #expect(await bot.telegram.waitUntil { !bot.telegram.botMessages(in: frank.id).isEmpty })
        bot.say(frank, "/help")
        try await Task.sleep(for: .seconds(3))
        let during = bot.telegram.botMessages(in: frank.id)
        #expect(during.count == 1, "sent once, and the lane holds: \(during.map(\.text))")

        try await inject(bot, "DROP TRIGGER test_fail_finish")
        _ = try await bot.waitForBotMessage(in: frank.id, containing: "How it works")
        let texts = bot.telegram.botMessages(in: frank.id).map(\.text)
        #expect(texts.filter { $0.hasPrefix("Hi!") }.count == 1)
        let database = try bot.database()
        var open: Int?
        for _ in 0..<100 where open != 0 {
            open = try await database.writer.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM bot_outgoing WHERE finished_at IS NULL")
            }
            if open != 0 { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(open == 0, "every outcome is recorded in the end")
        try await bot.stopBot()
    }

    /// Item 17: the decision is stored but removing its update fails (as a kill -9 in between would leave it), so
    /// the update is handled again: the admin's own decision passes silently, with its acknowledgement, and no
    /// "already approved" appears.
    @Test func aReplayedDecisionIsNotReportedAsAlreadyDecided() async throws {
        let bot = try await BotHarness.start(exchanges: [.binance])
        defer { Task { await bot.stop() } }
        let account = FakeAccount.random(for: .binance)
        bot.exchanges[.binance]!.register(account)
        _ = try await bot.addKey(
            frank,
            exchange: .binance,
            label: "Replay",
            apiKey: account.apiKey,
            secret: account.secret,
            passphrase: nil
        )
        _ = try await bot.waitForBotMessage(in: bot.adminGroup.id) { $0.button("Approve") != nil }
        let keyID = try #require(try await bot.keys(ofTelegramUser: frank.id).first?.id)

        let database = try bot.database()
        try await inject(bot, Self.failRemovingUpdates)
        bot.telegram.sendUserMessage(from: bot.listedAdmin, chat: bot.adminGroup, text: "/approve \(keyID)")
        var approved = false
        for _ in 0..<500 where !approved {
            approved =
                try await database.writer.read { db in
                    try String.fetchOne(db, sql: "SELECT status FROM user_exchanges WHERE id = ?", arguments: [keyID])
                } == "APPROVED"
            if !approved { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(approved)
        // The first attempt's commit has failed by now; the next attempt comes 400 ms after it.
        try await Task.sleep(for: .milliseconds(100))
        try await inject(bot, "DROP TRIGGER test_fail_inbox")

        _ = try await bot.waitForBotMessage(in: bot.adminGroup.id, containing: "Key #\(keyID) approved.")
        try await Task.sleep(for: .seconds(1))
        let texts = bot.telegram.botMessages(in: bot.adminGroup.id).map(\.text)
        #expect(!texts.contains { $0.contains("already") }, "\(texts)")
        #expect(texts.filter { $0.contains("Key #\(keyID) approved.") }.count == 1)
        try await bot.stopBot()
    }

    /// Item 17: an update that cannot be handled is parked, not handled at the next start after newer ones.
    @Test func anUpdateThatKeepsFailingIsParked() async throws {
        let bot = try await BotHarness.start(exchanges: [])
        defer { Task { await bot.stop() } }
        try await inject(bot, Self.failRemovingUpdates)
        let database = try bot.database()
        bot.say(frank, "/help")
        var parked = false
        for _ in 0..<400 where !parked {
            parked =
                try await database.writer.read { db in
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM bot_inbox WHERE parked_at IS NOT NULL")
                } == 1
            if !parked { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(parked)
        try await inject(bot, "DROP TRIGGER test_fail_inbox")
        bot.say(frank, "/start")
        _ = try await bot.waitForBotMessage(in: frank.id, containing: "Hi!")
        try await bot.stopBot()

        try await bot.startBot()
        bot.say(frank, "/cancel")
        _ = try await bot.waitForBotMessage(in: frank.id) { !$0.text.hasPrefix("Hi!") }
        try await Task.sleep(for: .milliseconds(500))
        #expect(!bot.telegram.botMessages(in: frank.id).contains { $0.text.contains("How it works") })
        try await bot.stopBot()
    }
}
