import Foundation
import TelegramAPIClient
import Testing

/// `retry_after` comes from the Bot API (or whatever answers at `TELEGRAM_API_URL`): a huge one must not become a
/// wait whose end no clock can represent (the outgoing sender traps computing with it).
@Suite struct RetryAfterBoundTests {
    @Test(arguments: ["9223372036854775807", "4611686018427387904", "86401"])
    func aHugeWaitIsCutToADay(seconds: String) async {
        let transport = ScriptedBotTransport()
        transport.on("getMe", .error(429, "Too Many Requests", parameters: #"{"retry_after":\#(seconds)}"#))
        let client = TelegramClient.scripted(transport, retryPolicy: .never)
        await #expect(throws: TelegramError.tooManyRequests(retryAfter: .seconds(86_400))) { try await client.getMe() }
    }

    @Test func anOrdinaryWaitIsKept() async {
        let transport = ScriptedBotTransport()
        transport.on("getMe", .error(429, "Too Many Requests", parameters: #"{"retry_after":35}"#))
        let client = TelegramClient.scripted(transport, retryPolicy: .never)
        await #expect(throws: TelegramError.tooManyRequests(retryAfter: .seconds(35))) { try await client.getMe() }
    }
}
