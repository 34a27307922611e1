import Logging
import TelegramAPIClient

/// Who may decide on keys: the `ADMIN_USER_IDS`, and the administrators of the admin group who run it (its creator,
/// and administrators with the right to manage the chat or delete messages: a group can make anyone an
/// "administrator" with no right at all).
///
/// Group membership is asked of Telegram (`getChatMember`) and remembered for a short while, so a burst of presses
/// costs one call per person. A `chat_member` update about someone (a promotion, a demotion, a change of rights)
/// drops what was remembered at once (``forget(_:)``); without one, a demoted admin loses the right within
/// ``BotConfiguration/adminCacheLifetime``. A failed lookup answers ``AdminCheck/unknown`` and is not remembered:
/// the caller decides nothing and says that Telegram could not be asked, rather than "only admins". Messages an
/// admin sends anonymously come from Telegram's stand-in accounts, which name no one: they never decide.
actor AdminDirectory {
    private let client: TelegramClient
    private let listed: Set<Int64>
    private let lifetime: Duration
    private let adminChat: AdminChat
    private let logger: Logger
    private var cache = [Int64: (isAdmin: Bool, until: ContinuousClock.Instant)]()
    /// How often each user was forgotten: an answer that was in flight while they were is not remembered.
    private var forgotten = [Int64: Int]()

    init(
        client: TelegramClient,
        listed: Set<Int64>,
        lifetime: Duration,
        adminChat: AdminChat,
        logger: Logger
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
        self.adminChat = adminChat
    }

    /// Telegram's stand-ins for anonymous group admins (`@GroupAnonymousBot`) and for channels (`@Channel_Bot`).
    static let anonymousSenders: Set<Int64> = [1_087_968_824, 136_817_688]

    func check(_ userID: Int64) async -> AdminCheck {
        if listed.contains(userID) { return .admin }
        if Self.anonymousSenders.contains(userID) { return .notAdmin }
        let now = ContinuousClock.now
        if let cached = cache[userID], cached.until > now { return cached.isAdmin ? .admin : .notAdmin }
        let generation = forgotten[userID, default: 0]
        do throws(TelegramError) {
            let member = try await client.getChatMember(chatID: adminChat.id, userID: userID)
            if forgotten[userID, default: 0] == generation { cache[userID] = (member.runsTheChat, now + lifetime) }
            return member.runsTheChat ? .admin : .notAdmin
        } catch {
            logger.warning(
                "could not check whether a user is an admin of the admin group",
                metadata: ["user": "\(userID)", "error": "\(error)"]
            )
            return .unknown
        }
    }

    /// Forgets what was remembered about `userID`: their membership just changed.
    func forget(_ userID: Int64) {
        cache[userID] = nil
        forgotten[userID, default: 0] += 1
    }
}

/// Whether someone may decide on keys, as far as the bot can tell now.
enum AdminCheck: Sendable, Equatable {
    case admin
    case notAdmin
    /// Telegram did not answer the membership lookup: neither yes nor no.
    case unknown

    /// What a refused admin is told (a text key) and the audit detail of a refused decision; `nil` for an admin.
    var refusal: (text: String, detail: String)? {
        switch self {
        case .admin: nil
        case .notAdmin: ("admin.only_admins", "not_admin")
        case .unknown: ("admin.check_failed", "admin_check_failed")
        }
    }
}
