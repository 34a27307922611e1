import BenchmarkDriver
import BenchmarkFakes
import ExchangeBotCore
import Fernet
import Foundation
import Synchronization

/// Everything outside the bot, in this process: the fake Bot API (with the admin group, the bot an admin of it), a
/// fake Binance answering at once, a fresh database file (or a fresh PostgreSQL database, made by the run) and
/// master key, and the users who talk to the bot.
///
/// Binance because its keys have no passphrase, so the `/add` flow is the six updates. Each binary under
/// measurement gets a world of its own, so neither inherits the other's data or the fake's records.
final class FakeWorld: Sendable {
    static let token = "7100002:BENCH-update_bench_token"
    let folder = TemporaryFolder()
    let key = FernetKey.generate()
    let telegram: FakeTelegramServer
    let binance: FakeExchangeServer
    let adminGroup = FakeChat.supergroup(id: -1_001_900_000_001, title: "Key approvals")
    let admin = FakeUser(id: 990_002, firstName: "Ada", username: "ada")
    /// Every user is new to the bot, so no user reaches the bot's inbound limit (20 updates a minute).
    private let nextUserID = Atomic<Int64>(3_000_000)
    private let accounts = Mutex<[Int64: FakeAccount]>([:])

    private init(telegram: FakeTelegramServer, binance: FakeExchangeServer) {
        self.telegram = telegram
        self.binance = binance
    }

    static func start() async throws -> FakeWorld {
        let world = FakeWorld(
            telegram: try await FakeTelegramServer.start(token: token),
            binance: try await FakeExchangeServer.start(.binance, latency: 0)
        )
        world.telegram.addChat(world.adminGroup)
        world.telegram.setMember(world.telegram.bot, in: world.adminGroup, status: .administrator)
        world.telegram.setMember(world.admin, in: world.adminGroup, status: .member)
        return world
    }

    func stop() async throws {
        await telegram.stop()
        try await binance.stop()
    }

    /// What `exchange-bot run` reads: the bot against the fakes, the REST API on a free port (as the service
    /// usually runs), health checks off; `databaseURL` when given, else a file in the world's folder.
    func environment(logLevel: String, databaseURL: String? = nil) throws -> [String: String] {
        var values = BotEnvironment.values(
            masterKey: key,
            database: databaseURL ?? folder.path("bot.sqlite"),
            telegram: telegram,
            adminChatID: adminGroup.id,
            adminUserIDs: [admin.id],
            exchanges: [.binance: binance.origin],
            logLevel: logLevel
        )
        values["SECRET_KEY"] = "bench-" + UUID().uuidString
        values["API_HOST"] = "127.0.0.1"
        values["API_PORT"] = String(try LoopbackPort.free())
        return values
    }

    /// `count` users the bot has never seen, each with a Binance key the fake knows.
    func newUsers(_ count: Int) -> [FakeUser] {
        (0..<count).map { _ in
            let id = nextUserID.add(1, ordering: .relaxed).newValue
            let account = FakeAccount.random(for: .binance)
            binance.register(account)
            accounts.withLock { $0[id] = account }
            return FakeUser(id: id, firstName: "User \(id)", username: "bench_\(id)")
        }
    }

    /// The six updates: `/start`, `/add`, the Binance button, a label, the API key, the secret, each sent
    /// as soon as the bot's answer to the previous one arrives; the last answer is "awaiting approval".
    func addKeyScript(_ user: FakeUser) -> [UserStep] {
        let account = accounts.withLock { $0[user.id] }!
        return [
            .any(.say("/start")),
            UserStep(.say("/add"), expecting: "the exchange buttons") { $0.button("Binance") != nil },
            .answer(.press(caption: "Binance"), containing: "send a name"),
            .answer(.say("Key \(user.id)"), containing: "API key"),
            .answer(.say(account.apiKey), containing: "API secret"),
            .answer(.say(account.secret), containing: "awaiting approval"),
        ]
    }

    /// One `/help`, answered with the help text.
    static func helpScript(_ user: FakeUser) -> [UserStep] {
        [.answer(.say("/help"), containing: "How it works")]
    }
}
