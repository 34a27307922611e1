import ExchangeBotStorage
import Foundation
import GRDB
import TelegramAPIClient
import TelegramBot
import TestSupport
import Testing

/// A shutdown while messages wait for their send slot: the waits end at once, the messages stay queued, and the
/// next start sends each once.
@Suite struct SenderShutdownTests {
    let grace = FakeUser(id: 5_000_401, firstName: "Grace", username: "grace_h")

    @Test func aStopDoesNotWaitForASlotFarAheadAndTheMessageGoesAfterTheRestart() async throws {
        // One message a minute per chat: the answer to /help waits about a minute behind the answer to /start.
        let bot = try await BotHarness.start(
            exchanges: [],
            tuning: { configuration in configuration.sendLimits.privateChat = .init(limit: 1, seconds: 60) }
        )
        defer { Task { await bot.stop() } }
        bot.say(grace, "/start")
        #expect(await bot.telegram.waitUntil { !bot.telegram.botMessages(in: grace.id).isEmpty })
        bot.say(grace, "/help")
        let database = try bot.database()
        let queued = {
            try await database.writer.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM bot_outgoing WHERE finished_at IS NULL") ?? 0
            }
        }
        let done = {
            try await database.writer.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM bot_outgoing WHERE finished_at IS NOT NULL") ?? 0
            }
        }
        // The answer to /start is marked sent and the answer to /help queued. (Counting unfinished rows alone could
        // see the /start answer, sent but not yet marked, before /help was even handled.)
        var settled = false
        for _ in 0..<200 where !settled {
            let (sent, waiting) = (try await done(), try await queued())
            settled = sent == 1 && waiting == 1
            if !settled { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(settled, "the answer to /help is queued behind the sent answer to /start")

        let stopping = ContinuousClock.now
        try await bot.stopBot()
        let took = ContinuousClock.now - stopping
        #expect(took < .seconds(10), "the stop waited \(took) for a slot a minute ahead")
        #expect(try await queued() == 1, "the waiting answer stays queued")
        #expect(bot.telegram.botMessages(in: grace.id).count == 1)

        try await bot.startBot()
        _ = try await bot.waitForBotMessage(in: grace.id, containing: "How it works")
        let texts = bot.telegram.botMessages(in: grace.id).map(\.text)
        #expect(texts.count == 2 && texts.filter { $0.contains("How it works") }.count == 1, "\(texts)")
    }
}
