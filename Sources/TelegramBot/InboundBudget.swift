import Synchronization

/// How many updates one Telegram user may send in a window before the bot stops answering them
/// (`BOT_INBOUND_LIMIT`, 20 a minute by default).
///
/// Every update costs a database write and usually a reply, which Telegram lets the bot send at only about one a
/// second per chat: a user (or a script on their account) who floods the bot would otherwise keep it busy and fill
/// its queues. Beyond the budget the bot goes quiet for the rest of the window, telling the user once. Windows are
/// fixed (the count starts again after `window` from the first update counted), which is enough against floods
/// and needs one entry per user. Kept in memory: a restart forgives everyone.
final class InboundBudget: Sendable {
    /// What to do with one update.
    enum Admission: Equatable {
        case admitted
        /// Over budget: handle quietly, but tell the user once (this is the first refusal in the window).
        case refusedWithNotice
        /// Over budget, and the user was told already.
        case refused
    }

    let limit: Int
    let window: Duration
    private let counts = Mutex([Int64: Entry]())

    private struct Entry {
        var start: ContinuousClock.Instant
        var count: Int
        var noticed: Bool
    }

    /// Above this many users in memory, entries whose window ended are forgotten.
    static let pruneAbove = 10_000

    init(limit: Int, window: Duration) {
        self.limit = max(limit, 1)
        self.window = window
    }

    func admit(_ userID: Int64, now: ContinuousClock.Instant = .now) -> Admission {
        counts.withLock { counts in
            if counts.count > Self.pruneAbove {
                counts = counts.filter { now - $0.value.start < window }
            }
            var entry = counts[userID] ?? Entry(start: now, count: 0, noticed: false)
            if now - entry.start >= window { entry = Entry(start: now, count: 0, noticed: false) }
            entry.count += 1
            defer { counts[userID] = entry }
            if entry.count <= limit { return .admitted }
            if entry.noticed { return .refused }
            entry.noticed = true
            return .refusedWithNotice
        }
    }
}
