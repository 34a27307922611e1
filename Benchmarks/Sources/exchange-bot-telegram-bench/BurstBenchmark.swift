import BenchmarkDriver
import BenchmarkFakes
import BotConversation
import ExchangeBotCore
import ExchangeBotStorage
import Fernet
import Foundation
import TelegramAPIClient
import TelegramBot

/// Part 2: a burst of "your key was approved" notices to distinct users under Telegram's real limits.
///
/// The decisions are made before the bot starts, by an ``ApprovalService`` on the same database whose notifier
/// cannot deliver (as when admins decide over the REST API of another process, or while the bot is down): the
/// events wait in the outbox. The bot then starts with its default send limits, against a fake that answers 429
/// above 30 messages per second overall and 1 per second per chat, and its event relay delivers the backlog.
/// At 30 per second, N messages cannot take less than (N - 30) / 30 s after the first (the first 30 may all go at
/// once); the issue's floor is N / 30 s.
enum BurstBenchmark {
    struct Figures {
        let notifications: Int
        /// From building the runtime to the last notice's arrival at the fake.
        let totalSeconds: Double
        /// From building the runtime to the first notice's arrival.
        let firstSeconds: Double
        let tooManyRequests: Int
        /// `sendMessage` calls to the users' chats, refused ones included.
        let sendAttempts: Int
        /// Notices that arrived in each whole second after the first one.
        let perSecond: [Int]
        let cpuSeconds: Double
        /// The bot's default send limits, as this run used them.
        let limits: OutgoingRateLimiter.Limits

        var spanSeconds: Double { totalSeconds - firstSeconds }
        /// N / 30 s: the issue's floor.
        var floorSeconds: Double { Double(notifications) / 30 }
        /// (N - 30) / 30 s from the first send: what a perfect sliding window allows.
        var spanFloorSeconds: Double { Double(max(0, notifications - 30)) / 30 }
        /// What the bot's own pacing allows (one send per `pacing` seconds), when it paces.
        var pacedSeconds: Double? { limits.pacing.map { Double(notifications - 1) * $0 } }
    }

    static let firstUserID: Int64 = 3_000_001

    static func run(notifications count: Int) async throws -> Figures {
        let setup = try await BotSetup.start()
        let users = (0..<count).map { index in
            FakeUser(id: firstUserID + Int64(index), firstName: "Owner \(index)", username: "bench_owner_\(index)")
        }
        for user in users { setup.telegram.addChat(.privateChat(with: user)) }
        try await decideBeforeStart(setup, users: users)
        setup.telegram.enforceRateLimits()

        let started = Date()
        let clock = PhaseClock()
        let running = try await setup.startRuntime { $0.eventSweepInterval = .milliseconds(200) }
        let telegram = setup.telegram
        let delivered = await telegram.waitUntil(timeout: .seconds(Double(count) / 30 * 3 + 60)) {
            users.allSatisfy { !telegram.botMessages(in: $0.id).isEmpty }
        }
        let cpuSeconds = clock.cpuSeconds
        // Anything sent twice would show up within the next second or so (per-chat limit 1/s).
        try await Task.sleep(for: .seconds(2))
        let arrivals = users.flatMap { telegram.botMessages(in: $0.id) }.compactMap { $0.versions.first?.time }.sorted()
        let userChats = Set(users.map(\.id))
        let attempts = telegram.calls("sendMessage").filter { userChats.contains($0["chat_id"]?.int64Value ?? 0) }
        let tooManyRequests = telegram.tooManyRequestsCount
        try await running.stop()
        await telegram.stop()

        guard delivered else {
            let missing = users.filter { telegram.botMessages(in: $0.id).isEmpty }.count
            throw BenchFailure("\(missing) of \(count) users never got their notice")
        }
        for user in users {
            let messages = telegram.botMessages(in: user.id)
            guard messages.count == 1, messages[0].text.contains("approved") else {
                throw BenchFailure(
                    "user \(user.id) got \(messages.count) messages: "
                        + messages.map { "\"\($0.text.prefix(60))\"" }.joined(separator: ", ")
                )
            }
        }
        let first = arrivals.first!.timeIntervalSince(started)
        var perSecond = [Int]()
        for arrival in arrivals {
            let second = Int(arrival.timeIntervalSince(arrivals[0]))
            while perSecond.count <= second { perSecond.append(0) }
            perSecond[second] += 1
        }
        return Figures(
            notifications: count,
            totalSeconds: arrivals.last!.timeIntervalSince(started),
            firstSeconds: first,
            tooManyRequests: tooManyRequests,
            sendAttempts: attempts.count,
            perSecond: perSecond,
            cpuSeconds: cpuSeconds,
            limits: BotConfiguration(adminChatID: setup.adminGroup.id).sendLimits
        )
    }

    /// Stores a PENDING OKX key for each user (its admin request long since posted: the `submitted` events are
    /// marked delivered) and approves them all, leaving one `approved` event per user in the outbox.
    private static func decideBeforeStart(_ setup: BotSetup, users: [FakeUser]) async throws {
        let database = try AppDatabase.open(.file(path: setup.databasePath))
        let ring = try MultiFernet(keys: [setup.key])
        let people = SQLiteBotStore(database: database, ring: ring)
        let store = SQLiteExchangeStore(database: database, ring: ring)
        var keyIDs = [Int64]()
        for user in users {
            let owner = try await people.ensureUser(
                telegramID: user.id,
                username: user.username,
                languageCode: "en",
                at: Date()
            )
            let account = FakeAccount.random(for: .okx)
            let submission = StoredKeySubmission(
                userID: owner.id,
                label: "Key \(user.id)",
                credentials: Credentials(
                    exchange: .okx,
                    apiKey: account.apiKey,
                    apiSecret: SecretString(account.secret),
                    passphrase: account.passphrase.map(SecretString.init)
                ),
                report: ValidationReport(canTrade: true, canWithdraw: false, ipRestricted: true),
                at: Date()
            )
            let audit = AuditEntry(
                at: Date(),
                caller: Caller(userID: owner.id, telegramID: user.id),
                action: .addKey,
                outcome: .succeeded
            )
            guard case .inserted(let key, _) = try await store.insertKey(submission, audit: audit) else {
                throw BenchFailure("could not seed a key for user \(user.id)")
            }
            keyIDs.append(key.id)
        }
        for event in try await store.undeliveredEvents(limit: users.count + 1) {
            try await store.markDelivered(outboxID: event.outboxID, at: Date())
        }
        let service = ApprovalService(store: store, validator: NothingToValidate(), notifier: NoNotifier())
        let admin = Caller(telegramID: setup.admin.id, displayName: "@\(setup.admin.username ?? "admin")")
        for id in keyIDs {
            _ = try await service.approve(keyID: id, by: admin)
        }
        let waiting = try await store.undeliveredEvents(limit: users.count + 1).count
        guard waiting == users.count else {
            throw BenchFailure("\(waiting) events wait in the outbox after \(users.count) approvals")
        }
    }
}

/// The burst only decides keys that were checked long ago; nothing is validated.
private struct NothingToValidate: CredentialValidator {
    func validate(_ credentials: Credentials) async throws(CredentialError) -> ValidationReport {
        throw .exchangeUnavailable("not used by the benchmark")
    }
}
