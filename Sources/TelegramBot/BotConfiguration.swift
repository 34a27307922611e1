import TelegramAPIClient

/// How the bot runs: the admin group and who may decide there, plus the knobs tests and benchmarks turn.
public struct BotConfiguration: Sendable {
    /// `ADMIN_CHAT_ID` as configured; where Telegram moved the group since is ``AdminChat``'s to know.
    public var adminChatID: Int64
    /// `ADMIN_USER_IDS`: may decide even if they are not admins of the admin group.
    public var adminUserIDs: Set<Int64>
    /// How long one `getUpdates` waits for news (Telegram allows up to 50 s).
    public var pollTimeout: Duration
    /// Telegram's send limits as the sender applies them. The defaults add a 50 ms margin to every window and
    /// pace sends 5 % slower than 30 a second, to absorb the jitter between when a send is scheduled and when
    /// Telegram counts it.
    public var sendLimits: OutgoingRateLimiter.Limits
    /// How long a `getChatMember` answer about an admin is trusted.
    public var adminCacheLifetime: Duration
    /// How often notifications that could not be delivered at once are tried again.
    public var eventSweepInterval: Duration
    /// `BOT_INBOUND_LIMIT`: updates (messages and button presses) one user may send per ``inboundWindow`` before
    /// the bot goes quiet for them (see ``InboundBudget``). `ADMIN_USER_IDS` are not counted.
    public var inboundLimit: Int
    public var inboundWindow: Duration
    /// `TELEGRAM_SIGNUP`: whether a Telegram user no account knows gets one of the bot's making.
    public var signup: TelegramSignup
    /// `WHITELIST_IPS`: the addresses users bind their keys to, shown to copy in the key guides, `/help` and IP
    /// errors; empty: none shown.
    public var whitelistIPs: [String] = []
    /// `TELEGRAM_WEBHOOK_URL` and `TELEGRAM_WEBHOOK_SECRET`: updates arrive by webhook; `nil`: long polling.
    public var webhook: BotWebhook?
    /// How often the sender reads its queue and, in webhook mode, the handler its inbox, without being woken. Wakes
    /// come from this process's commits and, on PostgreSQL, from other instances' (the leader listens for them, see
    /// `SharedQueue`), and the sender sets a timer for its own retries; so this read is only a safety net, for a wake
    /// lost to a fault or a row queued by a process that does not notify (an older version during a rolling update).
    public var queueRescanInterval: Duration = .seconds(30)
    /// How often the handler looks for key checks that no instance runs, and how long a submission must have waited
    /// to count as one. Such a check is left by a former leader that stored a submission while it lost the lease
    /// (after this instance had resumed what it found at start) and then cut its check short. Checks of this
    /// instance are never started twice (``CheckRunner`` skips them); the age keeps a check whose verdict is on its
    /// way to the chat's queue from being made again.
    public var orphanedCheckScanInterval: Duration = .seconds(60)
    public var orphanedCheckAge: Duration = .seconds(300)

    public init(
        adminChatID: Int64,
        adminUserIDs: Set<Int64> = [],
        pollTimeout: Duration = .seconds(30),
        sendLimits: OutgoingRateLimiter.Limits = .init(margin: 0.05, pacing: 1.0 / 30 * 1.05),
        adminCacheLifetime: Duration = .seconds(60),
        eventSweepInterval: Duration = .seconds(5),
        inboundLimit: Int = 20,
        inboundWindow: Duration = .seconds(60),
        signup: TelegramSignup = .open
    ) {
        self.adminChatID = adminChatID
        self.adminUserIDs = adminUserIDs
        self.pollTimeout = pollTimeout
        self.sendLimits = sendLimits
        self.adminCacheLifetime = adminCacheLifetime
        self.eventSweepInterval = eventSweepInterval
        self.inboundLimit = inboundLimit
        self.inboundWindow = inboundWindow
        self.signup = signup
    }
}

/// `TELEGRAM_SIGNUP`: who may add keys in Telegram.
public enum TelegramSignup: String, Sendable, CaseIterable {
    /// Anyone: a Telegram user no account knows gets one made by the bot on first contact.
    case open
    /// Only Telegram accounts linked to a user (by the platform, or with a link code): the others are told to open
    /// the link from their account page, and nothing is created for them.
    case linked
}
