import BotConversation
import ExchangeBotApp
import ExchangeBotCore
import ExchangeBotStorage
import Fernet
import Foundation
import GRDB
import Logging
import PostgresNIO
import PostgresStorage
import ServiceLifecycle
import Synchronization
import TelegramBot
import TestSupport
import Testing

/// The real `run` wiring (``Runtime/make(_:logger:signals:tuning:)``) in-process, against a fake Bot API and fake
/// exchanges on loopback, with a SQLite file in a temporary folder or a fresh database on the tests' PostgreSQL
/// server. Tests play users and admins through the fake.
final class BotHarness: Sendable {
    static let token = "7000001:TEST-harness_token"
    let folder = TemporaryFolder()
    let key: FernetKey
    let telegram: FakeTelegramServer
    let exchanges: [ExchangeID: FakeExchangeServer]
    let adminGroup: FakeChat
    /// Added to the environment (the REST API's settings, say).
    let extraEnvironment: [String: String]
    /// Listed in ADMIN_USER_IDS.
    let listedAdmin = FakeUser(id: 900_001, firstName: "Ada", username: "ada")
    /// An administrator of the admin group, not listed: recognised through getChatMember.
    let groupAdmin = FakeUser(id: 900_002, firstName: "Grace", username: "grace")
    /// A member of the admin group who is not an admin.
    let bystander = FakeUser(id: 900_003, firstName: "Mallory", username: "mallory")
    private let running: Mutex<(runtime: Runtime, task: Task<Void, any Error>)?> = Mutex(nil)
    let engine: StoreEngine
    /// `DATABASE_URL`: the SQLite file in ``folder``, or a database of the tests' PostgreSQL server.
    let databaseURL: String
    /// A pool on the PostgreSQL database for looking inside, opened on first use.
    private let inspection: Mutex<(pool: PostgresPool, task: Task<Void, Never>)?> = Mutex(nil)

    var databasePath: String { folder.path("bot.sqlite") }

    /// The HTTP listener's port (`/healthz`, `/readyz`, `/metrics`, and the API with `SECRET_KEY`), once it listens.
    func listenerPort() async -> Int? {
        guard let runtime = running.withLock({ $0?.runtime }) else { return nil }
        let deadline = ContinuousClock.now + .seconds(10)
        while runtime.listenerPort.current == nil, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return runtime.listenerPort.current
    }

    private init(
        engine: StoreEngine,
        databaseURL: String?,
        key: FernetKey,
        telegram: FakeTelegramServer,
        exchanges: [ExchangeID: FakeExchangeServer],
        adminGroup: FakeChat,
        extraEnvironment: [String: String]
    ) {
        self.engine = engine
        self.databaseURL = databaseURL ?? "sqlite:///" + folder.path("bot.sqlite")
        self.adminGroup = adminGroup
        self.extraEnvironment = extraEnvironment
        self.key = key
        self.telegram = telegram
        self.exchanges = exchanges
    }

    /// - Parameters:
    ///   - databaseURL: a PostgreSQL database made beforehand (by the platform's Python side, say); otherwise a
    ///     fresh one of the engine's.
    ///   - prepare: runs before the service first starts, on the database it will use (the platform's tables made
    ///     at ``databaseURL``, say).
    static func start(
        engine: StoreEngine = .sqlite,
        databaseURL: String? = nil,
        masterKey: FernetKey = .generate(),
        exchanges ids: [ExchangeID] = [.okx],
        latency: Double = 0,
        adminGroup: FakeChat = .supergroup(id: -1_001_700_000_001, title: "Key approvals"),
        extraEnvironment: [String: String] = [:],
        prepare: (BotHarness) async throws -> Void = { _ in },
        tuning: @escaping @Sendable (inout BotConfiguration) -> Void = { _ in }
    ) async throws -> BotHarness {
        let telegram = try await FakeTelegramServer.start(token: token)
        var exchanges = [ExchangeID: FakeExchangeServer]()
        for id in ids { exchanges[id] = try await FakeExchangeServer.start(id, latency: latency) }
        var url = databaseURL
        if engine == .postgres, url == nil { url = try await PostgresTestServer.shared().makeDatabase("bot") }
        let harness = BotHarness(
            engine: engine,
            databaseURL: url,
            key: masterKey,
            telegram: telegram,
            exchanges: exchanges,
            adminGroup: adminGroup,
            extraEnvironment: extraEnvironment
        )
        telegram.addChat(harness.adminGroup)
        telegram.setMember(telegram.bot, in: harness.adminGroup, status: .administrator)
        telegram.setMember(harness.listedAdmin, in: harness.adminGroup, status: .member)
        telegram.setMember(harness.groupAdmin, in: harness.adminGroup, status: .administrator)
        telegram.setMember(harness.bystander, in: harness.adminGroup, status: .member)
        try await prepare(harness)
        try await harness.startBot(tuning: tuning)
        return harness
    }

    var environment: [String: String] {
        BotEnvironment.values(
            masterKey: key,
            database: databaseURL,
            telegram: telegram,
            adminChatID: adminGroup.id,
            adminUserIDs: [listedAdmin.id],
            exchanges: exchanges.mapValues(\.origin)
        ).merging(extraEnvironment) { _, extra in extra }
    }

    /// Starts (or restarts) the service on the same database and fakes; `overriding` changes settings for this
    /// run (a restart with another `ADMIN_CHAT_ID`, say).
    func startBot(
        overriding: [String: String] = [:],
        tuning: @escaping @Sendable (inout BotConfiguration) -> Void = { _ in }
    ) async throws {
        var logger = Logger(label: "bot-harness")
        logger.logLevel = .error
        let runtime = try await Runtime.make(
            Environment(environment.merging(overriding) { _, new in new }, workingDirectory: folder.url.path),
            logger: logger,
            signals: [],
            tuning: { configuration in
                configuration.pollTimeout = .seconds(2)
                tuning(&configuration)
            }
        )
        let ended = Mutex<String?>(nil)
        let task = Task {
            do {
                try await runtime.run()
                ended.withLock { $0 = "the service returned" }
            } catch {
                ended.withLock { $0 = "the service failed: \(error)" }
                throw error
            }
        }
        running.withLock { $0 = (runtime, task) }
        // Polling, or in webhook mode (`TELEGRAM_WEBHOOK_URL`) the webhook set. A started bot gets there in well
        // under a second; the bound is for a loaded machine (see `waitForBotMessage`). A service that ends or never
        // gets there fails the test here, with its error, not later as an unanswered message.
        let receiving = await telegram.waitUntil(timeout: .seconds(45)) {
            self.telegram.isPolling || self.telegram.webhookURL != nil || ended.withLock { $0 != nil }
        }
        if let reason = ended.withLock({ $0 }) {
            throw HarnessFailure("the bot did not start receiving updates: \(reason)")
        }
        guard receiving else {
            throw HarnessFailure(
                "the bot did not start receiving updates within 45 s (Bot API calls so far: "
                    + "\(telegram.calls().map(\.method).joined(separator: ", ")))"
            )
        }
    }

    /// Stops the service gracefully (SIGTERM's path) and waits for it.
    func stopBot() async throws {
        guard
            let current = running.withLock({ state in
                defer { state = nil }; return state
            })
        else { return }
        await current.runtime.group.triggerGracefulShutdown()
        try await current.task.value
    }

    func stop() async {
        try? await stopBot()
        for server in exchanges.values { try? await server.stop() }
        await telegram.stop()
        if let opened = inspection.withLock({ state in
            defer { state = nil }; return state
        }) {
            opened.task.cancel()
            await opened.task.value
        }
    }

    // MARK: - Playing users

    /// A user's private chat with the bot.
    static func chat(_ user: FakeUser) -> FakeChat { .privateChat(with: user) }

    @discardableResult
    func say(_ user: FakeUser, _ text: String) -> Int {
        telegram.sendUserMessage(from: user, chat: Self.chat(user), text: text)
    }

    /// Waits for the bot's next message in `chat` after the first `after` ones that matches `predicate`. The wait is
    /// long because a passing test never spends it: on a clean CI run the first answer of a PostgreSQL-backed bot,
    /// started while a hundred suites start beside it on two cores, once took more than 20 s.
    func waitForBotMessage(
        in chatID: Int64,
        timeout: Duration = .seconds(45),
        where predicate: @escaping @Sendable (FakeSentMessage) -> Bool
    ) async throws -> FakeSentMessage {
        let found = await telegram.waitUntil(timeout: timeout) {
            self.telegram.botMessages(in: chatID).contains(where: predicate)
        }
        guard found, let message = telegram.botMessages(in: chatID).last(where: predicate) else {
            let seen = telegram.messages(in: chatID).map { "\($0.isOutgoing ? "bot" : "user"): \($0.text)" }
            throw HarnessFailure("no matching bot message in \(chatID); chat so far:\n" + seen.joined(separator: "\n"))
        }
        return message
    }

    func waitForBotMessage(in chatID: Int64, containing text: String, timeout: Duration = .seconds(20)) async throws
        -> FakeSentMessage
    {
        try await waitForBotMessage(in: chatID, timeout: timeout) { $0.text.contains(text) }
    }

    /// Plays `/add` through to the last answer for an account of the harness's exchange.
    func addKey(
        _ user: FakeUser,
        exchange: ExchangeID,
        label: String,
        apiKey: String,
        secret: String,
        passphrase: String?
    ) async throws -> [Int] {
        let chatID = user.id
        say(user, "/add")
        let choice = try await waitForBotMessage(in: chatID) { $0.button(exchange.displayName) != nil }
        _ = telegram.pressButton(from: user, on: choice, caption: exchange.displayName)
        _ = try await waitForBotMessage(in: chatID, containing: "send a name")
        say(user, label)
        _ = try await waitForBotMessage(in: chatID, containing: "API key")
        var credentialMessages = [say(user, apiKey)]
        _ = try await waitForBotMessage(in: chatID, containing: "API secret")
        credentialMessages.append(say(user, secret))
        if let passphrase {
            _ = try await waitForBotMessage(in: chatID, containing: "passphrase")
            credentialMessages.append(say(user, passphrase))
        }
        return credentialMessages
    }

    // MARK: - Looking inside

    func database() throws -> AppDatabase {
        try AppDatabase.open(.file(path: databasePath), concurrentReads: false)
    }

    /// The PostgreSQL database's pool, for looking inside (PostgreSQL runs only).
    func postgres() throws -> PostgresPool {
        try inspection.withLock { state in
            if let state { return state.pool }
            let pool = try PostgresPool(url: try PostgresURL(databaseURL), logger: Logger(label: "bot-harness"))
            state = (pool, Task { await pool.run() })
            return pool
        }
    }

    /// The service's stores on the harness's database, with its master key.
    func stores() throws -> (exchange: any ExchangeStore, bot: any BotStore) {
        let ring = try MultiFernet(keys: [key])
        switch engine {
        case .sqlite:
            let database = try database()
            return (SQLiteExchangeStore(database: database, ring: ring), SQLiteBotStore(database: database, ring: ring))
        case .postgres:
            let pool = try postgres()
            return (PostgresExchangeStore(database: pool, ring: ring), PostgresBotStore(database: pool, ring: ring))
        }
    }

    func keys(ofTelegramUser telegramID: Int64) async throws -> [ExchangeKey] {
        guard let userID = try await userID(ofTelegramUser: telegramID) else { return [] }
        return try await stores().exchange.keys(ofUser: userID)
    }

    func userID(ofTelegramUser telegramID: Int64) async throws -> Int64? {
        switch engine {
        case .sqlite:
            return try await database().writer.read { db in
                try Int64.fetchOne(db, sql: "SELECT id FROM users WHERE telegram_id = ?", arguments: [telegramID])
            }
        case .postgres:
            let rows = try await postgres().query("SELECT id FROM users WHERE telegram_id = \(telegramID)")
            for try await id in rows.decode(Int64.self) { return id }
            return nil
        }
    }

    /// A platform user with no Telegram account (an admin of the REST API, say).
    func createUser(username: String, isAdmin: Bool) async throws -> Int64 {
        switch engine {
        case .sqlite:
            let store = SQLiteExchangeStore(database: try database(), ring: try MultiFernet(keys: [key]))
            return try await store.createUser(username: username, email: nil, isAdmin: isAdmin, at: Date()).id
        case .postgres:
            let rows = try await postgres().query(
                "INSERT INTO users (username, is_admin, is_active) VALUES (\(username), \(isAdmin), TRUE) RETURNING id"
            )
            for try await id in rows.decode(Int64.self) { return id }
            throw HarnessFailure("no user id came back")
        }
    }

    /// Everything the database holds, as bytes: the SQLite files (main and WAL), or a data dump of PostgreSQL's
    /// database; for "no secret in plain text" checks.
    func storedBytes() async throws -> Data {
        switch engine {
        case .sqlite: return databaseBytes()
        case .postgres:
            let server = try await PostgresTestServer.shared()
            return Data(try await server.dump(database: PostgresTestServer.databaseName(in: databaseURL)).utf8)
        }
    }

    /// Waits until the bot has recorded which key a reason prompt it sent belongs to. The fake shows the prompt as
    /// soon as it answers `sendMessage`; the bot learns the prompt's message id only from that answer, and a reply
    /// faster than that (no person types so fast) would not be matched to the prompt.
    func waitForReasonPromptRecord(_ prompt: FakeSentMessage, timeout: Duration = .seconds(20)) async throws {
        let store = try stores().bot
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await store.reasonPrompt(chatID: prompt.chatID, messageID: prompt.messageID) != nil { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw HarnessFailure("the bot never recorded reason prompt \(prompt.messageID)")
    }

    /// Every byte of the database files (main and WAL), for "no secret in plain text" checks.
    func databaseBytes() -> Data {
        var data = Data()
        for suffix in ["", "-wal", "-shm"] {
            if let bytes = FileManager.default.contents(atPath: databasePath + suffix) { data.append(bytes) }
        }
        return data
    }
}

struct HarnessFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
