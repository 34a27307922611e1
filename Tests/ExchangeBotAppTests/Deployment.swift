import BearerTokens
import ExchangeBotCore
import Fernet
import Foundation
import Logging
import PostgresNIO
import PostgresStorage
import TestSupport

/// Several real `exchange-bot run` processes on one PostgreSQL database, against one fake Bot API and one fake
/// exchange: what the failover tests and the failover benchmark start.
///
/// Each instance calls the fake under its own `TELEGRAM_API_URL` path (`/i1`, `/i2`, …), so the fake's call log
/// says which process made each call (``FakeTelegramCall/instance``).
final class Deployment: Sendable {
    static let token = "7000014:FAILOVER-test_token"
    static let adminGroup = FakeChat.supergroup(id: -1_001_814_000_001, title: "Approvals")
    static let restSecret = "failover-rest-secret"

    let folder = TemporaryFolder()
    let key = FernetKey.generate()
    let server: PostgresTestServer
    let url: String
    let pool: PostgresPool
    private let poolTask: Task<Void, Never>
    let telegram: FakeTelegramServer
    let exchange: FakeExchangeServer

    private init(
        server: PostgresTestServer,
        url: String,
        pool: PostgresPool,
        poolTask: Task<Void, Never>,
        telegram: FakeTelegramServer,
        exchange: FakeExchangeServer
    ) {
        self.server = server
        self.url = url
        self.pool = pool
        self.poolTask = poolTask
        self.telegram = telegram
        self.exchange = exchange
    }

    /// A fresh, migrated database and the fakes (the exchange answering after `exchangeLatency` seconds).
    static func make(exchangeLatency: Double = 0) async throws -> Deployment {
        let server = try await PostgresTestServer.shared()
        let (pool, url, task) = try await server.openDatabase("failover")
        try await PostgresSchema.migrate(pool)
        let telegram = try await FakeTelegramServer.start(token: token)
        telegram.addChat(adminGroup)
        let exchange = try await FakeExchangeServer.start(.okx, latency: exchangeLatency)
        return Deployment(
            server: server,
            url: url,
            pool: pool,
            poolTask: task,
            telegram: telegram,
            exchange: exchange
        )
    }

    func stop() async {
        await telegram.stop()
        try? await exchange.stop()
        poolTask.cancel()
        await poolTask.value
    }

    /// One running instance.
    struct Instance {
        let name: String
        let process: ExchangeBotBinary.Launched
        /// The HTTP listener's port, once it listens.
        var port: Int?

        var errors: String { process.errors }
        var isRunning: Bool { !process.process.hasEnded }

        /// `/readyz`'s status and its `bot` field; nil when it does not answer.
        func readiness() async -> (status: Int, bot: String?)? {
            guard let port else { return nil }
            guard
                let response = try? await LoopbackHTTPClient.send(
                    to: URL(string: "http://127.0.0.1:\(port)")!,
                    "GET",
                    "/readyz",
                    timeout: 5
                )
            else { return nil }
            let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
            return (response.status, object?["bot"] as? String)
        }

        /// `leader`, `follower` or `single` from `/healthz`; nil when it does not answer.
        func role() async -> String? {
            guard let port else { return nil }
            guard
                let response = try? await LoopbackHTTPClient.send(
                    to: URL(string: "http://127.0.0.1:\(port)")!,
                    "GET",
                    "/healthz",
                    timeout: 5
                ),
                let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
            else { return nil }
            return object["role"] as? String
        }
    }

    func environment(instance name: String) -> [String: String] {
        [
            "BRAIN_CAPITAL_MASTER_KEY": key.base64, "DATABASE_URL": url, "TELEGRAM_BOT_TOKEN": Self.token,
            "TELEGRAM_API_URL": telegram.baseURL.absoluteString + "/" + name,
            "ADMIN_CHAT_ID": String(Self.adminGroup.id), "HEALTH_CHECK_INTERVAL": "0",
            "EXCHANGE_OKX_URL": exchange.origin.absoluteString, "SECRET_KEY": Self.restSecret, "API_PORT": "0",
            "API_RATE_LIMIT": "1000/second",
        ]
    }

    /// Starts an instance and returns once its listener is up (its port read from the log).
    func start(_ name: String) async throws -> Instance {
        let process = try ExchangeBotBinary.launch(["run"], environment: environment(instance: name), in: folder)
        var instance = Instance(name: name, process: process)
        _ = await process.waitFor("listening on")
        let line = process.errors.split(separator: "\n").first { $0.contains("listening on 127.0.0.1:") }
        instance.port = line.flatMap { Int($0.split(separator: ":").last ?? "") }
        return instance
    }

    /// Starts several instances at the same moment.
    func startTogether(_ names: [String]) async throws -> [Instance] {
        try await withThrowingTaskGroup(of: Instance.self) { group in
            for name in names { group.addTask { try await self.start(name) } }
            var started = [Instance]()
            for try await instance in group { started.append(instance) }
            return started.sorted { $0.name < $1.name }
        }
    }

    /// The roles of `instances`, asked until exactly one says `leader` (or `timeout` passes); nil then.
    func leader(among instances: [Instance], timeout: Duration = .seconds(20)) async -> Instance? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var leaders = [Instance]()
            for instance in instances where instance.isRunning {
                if await instance.role() == "leader" { leaders.append(instance) }
            }
            if leaders.count == 1 { return leaders[0] }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    /// Whether `instance` reports `role` within `timeout`.
    func waitUntil(_ instance: Instance, is role: String, timeout: Duration = .seconds(20)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await instance.role() == role { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// The fake's calls made by `instance`.
    func calls(by instance: String, _ method: String? = nil) -> [FakeTelegramCall] {
        telegram.calls(method).filter { $0.instance == instance }
    }

    /// The first `getUpdates` that `instance` started at or after `date`.
    func firstPoll(by instance: String, after date: Date) -> Date? {
        calls(by: instance, "getUpdates").map(\.time).filter { $0 >= date }.min()
    }

    /// The PostgreSQL backend that holds the leader lease.
    func leaseBackend() async throws -> Int32? {
        let key = PostgresLeaderLease.lockKey
        let rows = try await pool.query(
            """
            SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
                AND classid = \(key >> 32)::oid AND objid = \(key & 0xFFFF_FFFF)::oid AND objsubid = 1
                AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """
        )
        for try await pid in rows.decode(Int32.self) { return pid }
        return nil
    }

    /// A platform admin's REST bearer token (the user is made here).
    func adminToken() async throws -> String {
        let rows = try await pool.query(
            """
            INSERT INTO users (username, email, is_admin, is_active, created_at)
            VALUES ('failover-admin', 'admin@example.com', TRUE, TRUE, NOW()) RETURNING id
            """
        )
        var id: Int64 = 0
        for try await value in rows.decode(Int64.self) { id = value }
        return BearerTokenAuthority(secretKey: Self.restSecret, maxAge: 3600).mint(userID: id)
    }
}

extension Deployment {
    /// Users linked to Telegram accounts (ids from `firstTelegramID` on), each with `keys` pending OKX keys
    /// labelled `K<user>-<n>`; the key ids in the order made, per Telegram id.
    func linkedOwners(_ count: Int, keys: Int, firstTelegramID: Int64 = 6_140_000_001) async throws
        -> [(telegramID: Int64, keyIDs: [Int64])]
    {
        let store = PostgresExchangeStore(database: pool, ring: try MultiFernet(keys: [key]))
        var owners = [(telegramID: Int64, keyIDs: [Int64])]()
        for index in 0..<count {
            let telegramID = firstTelegramID + Int64(index)
            let rows = try await pool.query(
                """
                INSERT INTO users (username, email, is_admin, is_active, created_at)
                VALUES (\("owner\(index)"), NULL, FALSE, TRUE, NOW()) RETURNING id
                """
            )
            var userID: Int64 = 0
            for try await value in rows.decode(Int64.self) { userID = value }
            try await pool.query(
                """
                INSERT INTO exchange_bot_telegram_accounts (telegram_id, user_id, made_by_bot, linked_at, language_code)
                VALUES (\(telegramID), \(userID), TRUE, NOW(), 'en')
                """
            )
            // The owner has talked to the bot before: Telegram lets the bot write to them.
            telegram.addChat(.privateChat(with: FakeUser(id: telegramID, firstName: "Owner\(index)")))
            var keyIDs = [Int64]()
            for number in 0..<keys {
                let submission = StoredKeySubmission(
                    userID: userID,
                    label: "K\(index)-\(number)",
                    credentials: Credentials(
                        exchange: .okx,
                        apiKey: "okx-failover-\(index)-\(number)",
                        apiSecret: SecretString("okx-secret-\(index)-\(number)"),
                        passphrase: SecretString("okx-passphrase")
                    ),
                    report: ValidationReport(canTrade: true),
                    at: Date()
                )
                let outcome = try await store.insertKey(
                    submission,
                    audit: AuditEntry(at: Date(), caller: .system, action: .addKey, outcome: .succeeded)
                )
                guard case .inserted(let key, _) = outcome else { throw PostgresTestServer.Failure("not inserted") }
                keyIDs.append(key.id)
            }
            owners.append((telegramID, keyIDs))
        }
        // The admins were told of these keys long ago: only the decisions' notices are under test.
        try await pool.query("UPDATE exchange_bot_outbox SET delivered_at = NOW() WHERE delivered_at IS NULL")
        return owners
    }

    /// Approves a key over `instance`'s REST API; the HTTP status.
    func approve(_ keyID: Int64, via instance: Instance, token: String) async throws -> Int {
        let response = try await LoopbackHTTPClient.send(
            to: URL(string: "http://127.0.0.1:\(instance.port ?? 0)")!,
            "POST",
            "/admin/exchanges/\(keyID)/approve",
            headers: [("Authorization", "Bearer \(token)")],
            timeout: 10
        )
        return response.status
    }
}
