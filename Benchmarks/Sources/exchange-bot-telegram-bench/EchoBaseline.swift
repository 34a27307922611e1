import BenchmarkDriver
import Foundation
import Logging
import TelegramAPIClient

/// The baseline of the flow measurement: the least a long-polling bot can do per update, on the same client.
///
/// It long-polls `getUpdates` and answers each update with one `sendMessage` (sent concurrently, so one slow
/// chat does not hold up the rest), through the product's own `TelegramClient` and `AsyncHTTPBotTransport`. No
/// storage, no conversation, no validation, no rate limiter. What the real bot spends beyond this is the price of
/// what it does per update (an encrypted inbox, a conversation stored per step, the outbox and its sender).
struct EchoBot {
    private let client: TelegramClient
    private let transport: AsyncHTTPBotTransport

    init(baseURL: URL, token: String) {
        transport = AsyncHTTPBotTransport(baseURL: baseURL, token: token)
        var logger = Logger(label: "echo-bot")
        logger.logLevel = .error
        client = TelegramClient(transport: transport, logger: logger)
    }

    /// Polls and answers until the task is cancelled; returns how many answers failed before that.
    func run() async -> Int {
        let failures = FailureCount()
        await withDiscardingTaskGroup { group in
            var offset: Int64?
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
                    let text = "echo: " + (update.message?.text ?? update.callbackQuery?.data ?? "?")
                    group.addTask { [client] in
                        do {
                            _ = try await client.sendMessage(chatID: chatID, text: text)
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

    func shutdown() async {
        try? await transport.shutdown()
    }

    private actor FailureCount {
        var value = 0
        func add() { value += 1 }
    }
}
