import ExchangeBotCore
import ExchangeBotStorage
import Fernet
import Foundation

/// An approval service wired to a real SQLite store (in memory, or a file for concurrency tests), a fake
/// validator, a recording notifier and a fixed clock.
public struct ServiceHarness: Sendable {
    public let database: AppDatabase
    public let store: SQLiteExchangeStore
    public let ring: MultiFernet
    public let validator: FakeValidator
    public let notifier: RecordingNotifier
    public let clock: FixedClock
    public let service: ApprovalService

    public init(location: DatabaseLocation = .inMemory, ring: MultiFernet? = nil) throws {
        database = try AppDatabase.open(location)
        self.ring = try ring ?? MultiFernet(keys: [.generate()])
        store = SQLiteExchangeStore(database: database, ring: self.ring)
        validator = FakeValidator()
        notifier = RecordingNotifier()
        clock = FixedClock()
        service = ApprovalService(store: store, validator: validator, notifier: notifier, clock: clock)
    }

    /// A new active user.
    public func user(_ name: String = "alice", admin: Bool = false) async throws -> User {
        try await store.createUser(username: name, email: "\(name)@example.com", isAdmin: admin, at: clock.now())
    }
}

/// Submissions that pass the input rules.
public enum Sample {
    public static func submission(
        exchange: String = "binance",
        label: String = "Main",
        apiKey: String = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
        secret: String = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j",
        passphrase: String? = nil
    ) -> KeySubmission {
        KeySubmission(
            exchange: exchange,
            label: label,
            apiKey: apiKey,
            apiSecret: SecretString(secret),
            passphrase: passphrase.map(SecretString.init)
        )
    }
}
