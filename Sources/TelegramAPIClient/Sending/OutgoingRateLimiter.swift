/// When each outgoing message may be sent without drawing a 429: Telegram's broadcast limits, applied in one
/// place so a burst of notifications queues instead of being refused.
///
/// The limits (Bot FAQ): about one message per second to one chat, and in a group also 20 per minute, 30 per
/// second in total. Each is a sliding window; a message is given the earliest time at or after `now` at which
/// every window it falls in still has room, counting messages already scheduled for later. Messages to one chat
/// keep their order. Pure: time is a parameter, so the schedule is tested without waiting.
public struct OutgoingRateLimiter: Sendable {
    public struct Limits: Sendable, Equatable {
        /// Any one chat, groups included.
        public var privateChat: Window
        /// A group, on top of the per-chat window.
        public var group: Window
        public var global: Window
        /// Seconds added after an old message leaves a window before the slot opens, so rounding, or requests
        /// that reach Telegram a little sooner or later than scheduled, never land on the window's edge.
        public var margin: Double
        /// The least time between any two messages, if set: spreads a burst evenly over each second instead of
        /// sending the second's thirty at once. Bursts open many connections at once, and their uneven arrival is
        /// what lets a window that looked fine here look crowded to Telegram.
        public var pacing: Double?

        public init(
            privateChat: Window = Window(limit: 1, seconds: 1),
            group: Window = Window(limit: 20, seconds: 60),
            global: Window = Window(limit: 30, seconds: 1),
            margin: Double = 0.001,
            pacing: Double? = nil
        ) {
            self.privateChat = privateChat
            self.group = group
            self.global = global
            self.margin = margin
            self.pacing = pacing
        }
    }

    /// At most `limit` messages in any `seconds`-long stretch.
    public struct Window: Sendable, Equatable {
        public var limit: Int
        public var seconds: Double

        public init(limit: Int, seconds: Double) {
            self.limit = limit
            self.seconds = seconds
        }
    }

    public let limits: Limits
    /// Scheduled send times per chat and overall, sorted.
    private var perChat: [Int64: [Double]] = [:]
    private var overall: [Double] = []

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Reserves the earliest allowed time at or after `now` for one message to `chatID` (negative ids are groups,
    /// as Telegram numbers them) and returns it.
    public mutating func reserve(chatID: Int64, now: Double) -> Double {
        prune(before: now - max(limits.group.seconds, limits.privateChat.seconds, limits.global.seconds))
        let chatWindows = chatID < 0 ? [limits.privateChat, limits.group] : [limits.privateChat]
        let chatLog = perChat[chatID] ?? []
        // Messages to one chat keep their order: never before the chat's last scheduled message.
        var time = max(now, chatLog.last ?? now)
        // Each window only ever moves the time later; stop when all of them accept it.
        var moved = true
        while moved {
            moved = false
            for window in chatWindows {
                let fit = Self.firstFit(in: chatLog, window: window, from: time, margin: limits.margin)
                if fit != time {
                    time = fit
                    moved = true
                }
            }
            var overallFit = Self.firstFit(in: overall, window: limits.global, from: time, margin: limits.margin)
            if let pacing = limits.pacing {
                overallFit = Self.firstFit(
                    in: overall,
                    window: Window(limit: 1, seconds: pacing),
                    from: overallFit,
                    margin: 0
                )
            }
            if overallFit != time {
                time = overallFit
                moved = true
            }
        }
        Self.insert(time, into: &overall)
        perChat[chatID, default: []].append(time)
        return time
    }

    /// The earliest time `t ≥ start` at which one more entry leaves every window of the log within its limit.
    ///
    /// A window is crowded only where it holds `limit` entries already; the candidates are `start` and the
    /// moments an entry leaves a window (`entry + seconds`), tried in order.
    static func firstFit(in log: [Double], window: Window, from start: Double, margin: Double) -> Double {
        var candidates = [start] + log.map { $0 + window.seconds + margin }.filter { $0 > start }
        candidates.sort()
        for candidate in candidates where fits(candidate, in: log, window: window) {
            return candidate
        }
        return (log.last ?? start) + window.seconds + margin
    }

    /// Whether adding an entry at `time` keeps every window that contains it within the limit.
    static func fits(_ time: Double, in log: [Double], window: Window) -> Bool {
        // Windows (s - seconds, s] containing `time` end at s in [time, time + seconds); the fullest ones end at
        // `time` or at an existing entry in that range.
        var ends = [time]
        ends += log.filter { $0 >= time && $0 < time + window.seconds }
        for end in ends {
            let count = log.filter { $0 > end - window.seconds && $0 <= end }.count
            if count + 1 > window.limit { return false }
        }
        return true
    }

    private static func insert(_ time: Double, into log: inout [Double]) {
        let index = log.firstIndex { $0 > time } ?? log.endIndex
        log.insert(time, at: index)
    }

    private mutating func prune(before cutoff: Double) {
        overall.removeAll { $0 < cutoff }
        for (chat, log) in perChat {
            let kept = log.filter { $0 >= cutoff }
            perChat[chat] = kept.isEmpty ? nil : kept
        }
    }
}
