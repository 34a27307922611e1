import BenchmarkDriver
import BenchmarkFakes
import ExchangeBotApp
import ExchangeBotCore
import Fernet
import Foundation
import Logging
import ServiceLifecycle
import TelegramBot

/// What `exchange-bot run` needs around it for a benchmark: a temporary folder with the SQLite file, a fresh
/// master key, the fake Bot API (with the admin group, the bot an admin of it) and the environment pointing at
/// them. Each measured part gets its own, so no part inherits another's data or the fake's records.
final class BotSetup: Sendable {
    static let token = "7100001:BENCH-telegram_bench_token"
    let folder = TemporaryFolder()
    let key = FernetKey.generate()
    let telegram: FakeTelegramServer
    let adminGroup = FakeChat.supergroup(id: -1_001_800_000_001, title: "Key approvals")
    /// Listed in ADMIN_USER_IDS; decides in the notification burst.
    let admin = FakeUser(id: 990_001, firstName: "Ada", username: "ada")

    var databasePath: String { folder.path("bot.sqlite") }

    private init(telegram: FakeTelegramServer) {
        self.telegram = telegram
    }

    static func start() async throws -> BotSetup {
        let setup = BotSetup(telegram: try await FakeTelegramServer.start(token: token))
        setup.telegram.addChat(setup.adminGroup)
        setup.telegram.setMember(setup.telegram.bot, in: setup.adminGroup, status: .administrator)
        setup.telegram.setMember(setup.admin, in: setup.adminGroup, status: .member)
        return setup
    }

    /// The variables `exchange-bot run` reads; health checks off, so nothing but the measured work runs.
    func environment(exchanges: [ExchangeID: URL] = [:], logLevel: String = "error") -> [String: String] {
        BotEnvironment.values(
            masterKey: key,
            database: databasePath,
            telegram: telegram,
            adminChatID: adminGroup.id,
            adminUserIDs: [admin.id],
            exchanges: exchanges,
            logLevel: logLevel
        )
    }

    /// Builds the very wiring `exchange-bot run` runs (``Runtime/make(_:logger:signals:tuning:)``), starts it, and
    /// returns once the bot long-polls the fake.
    func startRuntime(
        exchanges: [ExchangeID: URL] = [:],
        tuning: @escaping @Sendable (inout BotConfiguration) -> Void
    ) async throws -> RunningBot {
        var logger = Logger(label: "telegram-bench")
        logger.logLevel = .warning
        let runtime = try await Runtime.make(
            Environment(environment(exchanges: exchanges), workingDirectory: folder.url.path),
            logger: logger,
            signals: [],
            tuning: tuning
        )
        let task = Task { try await runtime.run() }
        guard await telegram.waitUntil(timeout: .seconds(30), { self.telegram.isPolling }) else {
            await runtime.group.triggerGracefulShutdown()
            throw BenchFailure("the bot did not start polling the fake Bot API within 30 s")
        }
        return RunningBot(runtime: runtime, task: task)
    }
}

/// A started ``Runtime`` and the task running it.
struct RunningBot {
    let runtime: Runtime
    let task: Task<Void, any Error>

    /// SIGTERM's path: graceful shutdown, then waits for every service to finish.
    func stop() async throws {
        await runtime.group.triggerGracefulShutdown()
        try await task.value
    }
}
