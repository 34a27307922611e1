/// Telegram's published send limits as sliding windows: per chat, per group per minute, and overall.
///
/// `retry_after` is the whole number of seconds until every exceeded window has room again, so a bot that waits
/// exactly that long and retries succeeds (unless it sent something else meanwhile). Refused sends take no room.
struct FakeTelegramRateLimiter {
    private struct Window {
        var capacity: Int
        var seconds: Double
    }

    private let perChat: Window
    private let perGroup: Window
    private let global: Window
    private var chatLog: [Int64: [Double]] = [:]
    private var groupLog: [Int64: [Double]] = [:]
    private var globalLog: [Double] = []

    init(perChatPerSecond: Double, perGroupPerMinute: Int, globalPerSecond: Int) {
        precondition(perChatPerSecond > 0 && perGroupPerMinute > 0 && globalPerSecond > 0, "limits must be positive")
        // 1/s is one message per second; 0.5/s one per two seconds; 3/s three in any second.
        let capacity = max(1, Int(perChatPerSecond.rounded(.down)))
        perChat = Window(capacity: capacity, seconds: Double(capacity) / perChatPerSecond)
        perGroup = Window(capacity: perGroupPerMinute, seconds: 60)
        global = Window(capacity: globalPerSecond, seconds: 1)
    }

    /// Records a send at `now` and returns nil, or returns `retry_after` without recording.
    mutating func admit(chat: Int64, isGroup: Bool, now: Double) -> Int? {
        var wait = Self.wait(&chatLog[chat, default: []], perChat, now)
        if isGroup { wait = max(wait, Self.wait(&groupLog[chat, default: []], perGroup, now)) }
        wait = max(wait, Self.wait(&globalLog, global, now))
        if wait > 0 { return max(1, Int(wait.rounded(.up))) }
        chatLog[chat, default: []].append(now)
        if isGroup { groupLog[chat, default: []].append(now) }
        globalLog.append(now)
        return nil
    }

    /// Seconds until `log` has room in `window`, after forgetting entries that left it.
    private static func wait(_ log: inout [Double], _ window: Window, _ now: Double) -> Double {
        log.removeAll { $0 <= now - window.seconds }
        guard log.count >= window.capacity else { return 0 }
        return log[log.count - window.capacity] + window.seconds - now
    }
}
