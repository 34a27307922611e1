/// When each outgoing message may be sent without drawing a 429: Telegram's broadcast limits, applied in one
/// place so a burst of notifications queues instead of being refused.
///
/// The limits (Bot FAQ): about one message per second to one private chat, 20 per minute to one group, 30 per
/// second in total. Each is a sliding window; a message is given the earliest time at or after `now` at which
/// every window it falls in still has room, counting messages already scheduled for later. Messages to one chat
/// keep their order. Pure: time is a parameter, so the schedule is tested without waiting.
public struct OutgoingRateLimiter: Sendable {
    public struct Limits: Sendable, Equatable {
        public var privateChat: Window
        public var group: Window
        public var global: Window

        public init(
            privateChat: Window = Window(limit: 1, seconds: 1),
            group: Window = Window(limit: 20, seconds: 60),
            global: Window = Window(limit: 30, seconds: 1)
        ) {
            self.privateChat = privateChat
            self.group = group
            self.global = global
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
    /// Slots open this long after an old message leaves a window, so rounding (or a clock a hair off Telegram's)
    /// never lands a message exactly on the window's edge.
    static let margin = 0.001
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
        let chatWindow = chatID < 0 ? limits.group : limits.privateChat
        let chatLog = perChat[chatID] ?? []
        // Messages to one chat keep their order: never before the chat's last scheduled message.
        let earliest = max(now, chatLog.last ?? now)
        var time = earliest
        while true {
            let chatFit = Self.firstFit(in: chatLog, window: chatWindow, from: time)
            let overallFit = Self.firstFit(in: overall, window: limits.global, from: chatFit)
            if overallFit == chatFit {
                time = chatFit
                break
            }
            time = overallFit
        }
        Self.insert(time, into: &overall)
        perChat[chatID, default: []].append(time)
        return time
    }

    /// The earliest time `t ≥ start` at which one more entry leaves every window of the log within its limit.
    ///
    /// A window is crowded only where it holds `limit` entries already; the candidates are `start` and the
    /// moments an entry leaves a window (`entry + seconds`), tried in order.
    static func firstFit(in log: [Double], window: Window, from start: Double) -> Double {
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
