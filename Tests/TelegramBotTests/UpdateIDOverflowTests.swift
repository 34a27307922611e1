import Foundation
import TestSupport
import Testing

/// Update ids come from the Bot API (or whatever answers at `TELEGRAM_API_URL`): the poller confirms a batch with
/// `last + 1`, which trapped on an id of `Int64.max`.
@Suite struct UpdateIDOverflowTests {
    @Test func anUpdateIDOfInt64MaxIsHandledWithoutATrap() async throws {
        let bot = try await BotHarness.start(exchanges: [])
        defer { Task { await bot.stop() } }
        let eve = FakeUser(id: 5_000_777, firstName: "Eve", username: "eve")
        bot.telegram.addChat(BotHarness.chat(eve))
        let chat = #"{"id":5000777,"type":"private","first_name":"Eve","username":"eve"}"#
        let from = #"{"id":5000777,"is_bot":false,"first_name":"Eve","username":"eve","language_code":"en"}"#
        let message = #"{"message_id":1,"date":1700000000,"chat":\#(chat),"from":\#(from),"text":"/help"}"#
        bot.telegram.enqueueRaw(#"{"update_id":9223372036854775807,"message":\#(message)}"#)
        _ = try await bot.waitForBotMessage(in: eve.id, containing: "How it works")
    }
}
