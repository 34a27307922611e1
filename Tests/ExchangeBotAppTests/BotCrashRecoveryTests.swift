import ExchangeBotCore
import ExchangeBotStorage
import Fernet
import Foundation
import GRDB
import TestSupport
import Testing

/// `exchange-bot run` with the bot, killed with SIGKILL at awkward moments and started again: nothing the user
/// said is lost and nothing they see is repeated.
@Suite(
    .serialized,
    .enabled(if: ExchangeBotBinary.path != nil, "the exchange-bot binary is not built next to the tests")
)
struct BotCrashRecoveryTests {
    static let token = "7000002:CRASH-test_token"
    let folder = TemporaryFolder()
    let key = FernetKey.generate()
    let alice = FakeUser(id: 5_100_001, firstName: "Alice", username: "alice")
    let adminGroup = FakeChat.supergroup(id: -1_001_800_000_001, title: "Approvals")

    func environment(_ telegram: FakeTelegramServer, _ exchange: FakeExchangeServer) -> [String: String] {
        [
            "BRAIN_CAPITAL_MASTER_KEY": key.base64, "DATABASE_URL": "sqlite:///bot.sqlite",
            "TELEGRAM_BOT_TOKEN": Self.token, "TELEGRAM_API_URL": telegram.baseURL.absoluteString,
            "ADMIN_CHAT_ID": String(adminGroup.id), "HEALTH_CHECK_INTERVAL": "0",
            "EXCHANGE_OKX_URL": exchange.origin.absoluteString, "API_PORT": "0",
        ]
    }

    func start(_ telegram: FakeTelegramServer, _ exchange: FakeExchangeServer) async throws
        -> ExchangeBotBinary.Launched
    {
        let process = try ExchangeBotBinary.launch(["run"], environment: environment(telegram, exchange), in: folder)
        #expect(await process.waitFor("exchange-bot ready"), "\(process.errors)")
        // After a SIGKILL the dead poller's request may hold the fake for a moment (409 until it notices).
        #expect(await telegram.waitUntil(timeout: .seconds(30)) { telegram.isPolling })
        return process
    }

    func botTexts(_ telegram: FakeTelegramServer, _ chat: Int64) -> [String] {
        telegram.botMessages(in: chat).map(\.text)
    }

    func waitForText(_ telegram: FakeTelegramServer, _ chat: Int64, _ text: String) async -> Bool {
        await telegram.waitUntil(timeout: .seconds(40)) {
            telegram.botMessages(in: chat).contains { $0.text.contains(text) }
        }
    }

    /// The fakes, a registered OKX account, and the service started with Alice at the exchange buttons and "OKX"
    /// pressed: where both crash tests begin.
    func startAtOKX(exchangeLatency: Double = 0) async throws -> (
        telegram: FakeTelegramServer, exchange: FakeExchangeServer, account: FakeAccount,
        process: ExchangeBotBinary.Launched
    ) {
        let telegram = try await FakeTelegramServer.start(token: Self.token)
        let exchange = try await FakeExchangeServer.start(.okx, latency: exchangeLatency)
        telegram.addChat(adminGroup)
        let account = FakeAccount.random(for: .okx)
        exchange.register(account)
        let process = try await start(telegram, exchange)
        telegram.sendUserMessage(from: alice, chat: .privateChat(with: alice), text: "/add")
        #expect(await telegram.waitUntil { telegram.botMessages(in: alice.id).last?.button("OKX") != nil })
        let choice = try #require(telegram.botMessages(in: alice.id).last)
        _ = telegram.pressButton(from: alice, on: choice, caption: "OKX")
        return (telegram, exchange, account, process)
    }

    @Test func aKillMidConversationLosesNothingAndRepeatsNothing() async throws {
        let started = try await startAtOKX()
        let (telegram, exchange, account) = (started.telegram, started.exchange, started.account)
        var process = started.process
        let chat = FakeChat.privateChat(with: alice)
        #expect(await waitForText(telegram, alice.id, "send a name"))
        telegram.sendUserMessage(from: alice, chat: chat, text: "Killed")
        // Killed at once: the label may be unread, in the inbox, or handled; each must end the same.
        await process.kill(SIGKILL)

        process = try await start(telegram, exchange)
        #expect(await waitForText(telegram, alice.id, "API key"))
        telegram.sendUserMessage(from: alice, chat: chat, text: account.apiKey)
        #expect(await waitForText(telegram, alice.id, "API secret"))
        telegram.sendUserMessage(from: alice, chat: chat, text: account.secret)
        #expect(await waitForText(telegram, alice.id, "passphrase"))
        telegram.sendUserMessage(from: alice, chat: chat, text: account.passphrase!)
        #expect(await waitForText(telegram, alice.id, "awaiting approval"))
        await process.kill(SIGTERM)
        #expect(process.exitStatus == 0, "SIGTERM ends the service cleanly: \(process.errors)")

        let texts = botTexts(telegram, alice.id)
        #expect(texts.filter { $0.contains("Now send the OKX API key") }.count == 1, "\(texts)")
        #expect(texts.filter { $0.contains("awaiting approval") }.count == 1)
        #expect(texts.first { $0.contains("awaiting approval") }?.contains("Killed") == true)
        #expect(telegram.botMessages(in: adminGroup.id).filter { $0.button("Approve") != nil }.count == 1)
        #expect(!process.errors.contains(account.secret) && !process.errors.contains(Self.token))
        await telegram.stop()
        try await exchange.stop()
    }

    @Test func aKillMidValidationResumesTheCheckOnce() async throws {
        // The exchange takes 3 s to answer: time to kill the service while it waits.
        let started = try await startAtOKX(exchangeLatency: 3)
        let (telegram, exchange, account) = (started.telegram, started.exchange, started.account)
        var process = started.process
        let chat = FakeChat.privateChat(with: alice)
        for (prompt, answer) in [
            ("send a name", "Mid-check"), ("API key", account.apiKey), ("API secret", account.secret),
            ("passphrase", account.passphrase!),
        ] {
            #expect(await waitForText(telegram, alice.id, prompt))
            telegram.sendUserMessage(from: alice, chat: chat, text: answer)
        }
        #expect(await waitForText(telegram, alice.id, "Checking the key"))
        #expect(await telegram.waitUntil { !exchange.requests().isEmpty })
        // The check is with the exchange for 3 s. (A kill within the millisecond between Telegram's answer to
        // "Checking…" and the commit marking it sent would repeat that message: the Bot API has no idempotency key.)
        try await Task.sleep(for: .milliseconds(300))
        await process.kill(SIGKILL)
        #expect(!botTexts(telegram, alice.id).contains { $0.contains("awaiting approval") })

        process = try await start(telegram, exchange)
        #expect(await waitForText(telegram, alice.id, "awaiting approval"))
        #expect(
            await telegram.waitUntil(timeout: .seconds(20)) {
                telegram.botMessages(in: adminGroup.id).contains { $0.button("Approve") != nil }
            }
        )
        try await Task.sleep(for: .seconds(2))
        await process.kill(SIGTERM)
        #expect(process.exitStatus == 0)

        let texts = botTexts(telegram, alice.id)
        // The one "Checking…" message became the verdict (edited in place): none is left, and no second was sent.
        #expect(texts.filter { $0.contains("Checking the key") }.isEmpty, "\(texts)")
        #expect(texts.filter { $0.contains("awaiting approval") }.count == 1, "\(texts)")
        #expect(texts.last?.contains("awaiting approval") == true, "\(texts)")
        #expect(texts.dropLast().last?.contains("passphrase") == true, "nothing between the prompt and the verdict")
        #expect(telegram.botMessages(in: adminGroup.id).filter { $0.button("Approve") != nil }.count == 1)
        let database = try AppDatabase.open(.file(path: folder.path("bot.sqlite")), concurrentReads: false)
        let rows = try await database.writer.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM user_exchanges") ?? 0
        }
        #expect(rows == 1)
        await telegram.stop()
        try await exchange.stop()
    }
}
