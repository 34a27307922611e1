import Foundation
import Logging
import TelegramAPIClient

/// The least a long-polling bot can do per update, on the product's own client: the baseline of the Telegram
/// benchmarks (in the telegram bench's process, and as the `exchange-bot-echo` process of the update bench).
///
/// It long-polls `getUpdates` and answers each message and button press with one `sendMessage` (sent concurrently,
/// so one slow chat does not hold up the rest), through the product's own `TelegramClient` and
/// `AsyncHTTPBotTransport`. No storage, no conversation, no validation, no rate limiter. What the real bot spends
/// beyond this is the price of what it does per update (an encrypted inbox, a conversation stored per step, the
/// outbox and its sender).
public struct EchoBot: Sendable {
    /// What the bot answers to an update: a text, and buttons if any.
    public typealias Answer = @Sendable (Update) -> (text: String, buttons: ReplyMarkup?)

    private let client: TelegramClient
    private let transport: AsyncHTTPBotTransport
    private let answer: Answer

    /// - Parameter answer: by default "echo: " and the message's text or the button's data.
    public init(baseURL: URL, token: String, answer: @escaping Answer = EchoBot.echo) {
        transport = AsyncHTTPBotTransport(baseURL: baseURL, token: token)
        var logger = Logger(label: "echo-bot")
        logger.logLevel = .error
        client = TelegramClient(transport: transport, logger: logger)
        self.answer = answer
    }

    public static let echo: Answer = { update in
        ("echo: " + (update.message?.text ?? update.callbackQuery?.data ?? "?"), nil)
    }

    /// Polls and answers until the task is cancelled; returns how many answers failed before that. `polling` runs
    /// once, just before the first `getUpdates`.
    public func run(polling: @Sendable () -> Void = {}) async -> Int {
        let failures = FailureCount()
        await withDiscardingTaskGroup { group in
            var offset: Int64?
            polling()
            while !Task.isCancelled {
                let updates: [Update]
                do {
                    updates = try await client.getUpdates(
                        offset: offset,
                        timeout: .seconds(30),
                        allowedUpdates: ["message", "callback_query"]
                    )
                } catch {
                    if Task.isCancelled { break }
                    try? await Task.sleep(for: .milliseconds(100))
                    continue
                }
                for update in updates {
                    offset = max(offset ?? 0, update.updateID + 1)
                    guard let chatID = update.chat?.id ?? update.from?.id else { continue }
                    let (text, buttons) = answer(update)
                    group.addTask { [client] in
                        do {
                            _ = try await client.sendMessage(chatID: chatID, text: text, replyMarkup: buttons)
                        } catch {
                            // Stopping cancels answers still awaiting their HTTP response (the fake has them).
                            if !Task.isCancelled { await failures.add() }
                        }
                    }
                }
            }
        }
        return await failures.value
    }

    public func shutdown() async {
        try? await transport.shutdown()
    }

    private actor FailureCount {
        var value = 0
        func add() { value += 1 }
    }
}
