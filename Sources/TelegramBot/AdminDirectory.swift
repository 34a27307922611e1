import Logging
import TelegramBotAPI

/// Who may decide on keys: the `ADMIN_USER_IDS`, and the administrators of the admin group.
///
/// Group membership is asked of Telegram (`getChatMember`) and remembered for a short while, so a burst of presses
/// costs one call per person, and a demoted admin loses the right within ``BotConfiguration/adminCacheLifetime``.
/// A failed lookup answers "no" and is not remembered.
actor AdminDirectory {
    private let client: TelegramClient
    private let listed: Set<Int64>
    private let lifetime: Duration
    private let chatID: @Sendable () async -> Int64
    private let logger: Logger
    private var cache = [Int64: (isAdmin: Bool, until: ContinuousClock.Instant)]()

    init(
        client: TelegramClient,
        listed: Set<Int64>,
        lifetime: Duration,
        logger: Logger,
        chatID: @escaping @Sendable () async -> Int64
    ) {
        // A button press waits for this answer, and Telegram shows a spinner until it is answered: ask once more at
        // most, and not for long, rather than wait out the usual retries.
        var quick = client
        quick.retryPolicy = RetryPolicy(maxAttempts: 2, maxRetryAfter: .seconds(3))
        quick.requestTimeout = .seconds(5)
        self.client = quick
        self.listed = listed
        self.lifetime = lifetime
        self.logger = logger
        self.chatID = chatID
    }

    func isAdmin(_ userID: Int64) async -> Bool {
        if listed.contains(userID) { return true }
        let now = ContinuousClock.now
        if let cached = cache[userID], cached.until > now { return cached.isAdmin }
        do throws(TelegramError) {
            let member = try await client.getChatMember(chatID: await chatID(), userID: userID)
            cache[userID] = (member.isAdministrator, now + lifetime)
            return member.isAdministrator
        } catch {
            logger.warning(
                "could not check whether a user is an admin of the admin group",
                metadata: ["user": "\(userID)", "error": "\(error)"]
            )
            return false
        }
    }
}
