import Testing

@testable import TelegramAPIClient

@Suite struct OutgoingRateLimiterTests {
    /// Checks a schedule against every window by brute force, independently of the limiter's own search.
    static func respects(_ schedule: [(chat: Int64, time: Double)], _ limits: OutgoingRateLimiter.Limits) -> Bool {
        func ok(_ times: [Double], _ window: OutgoingRateLimiter.Window) -> Bool {
            times.allSatisfy { end in times.filter { $0 > end - window.seconds && $0 <= end }.count <= window.limit }
        }
        guard ok(schedule.map(\.time), limits.global) else { return false }
        for chat in Set(schedule.map(\.chat)) {
            let times = schedule.filter { $0.chat == chat }.map(\.time)
            guard ok(times, limits.privateChat) else { return false }
            if chat < 0, !ok(times, limits.group) { return false }
            guard times == times.sorted() else { return false }
        }
        return true
    }

    @Test func aBurstToManyUsersRunsAtThirtyASecond() {
        var limiter = OutgoingRateLimiter()
        let schedule = (0..<300).map { index in
            (chat: Int64(1000 + index), time: limiter.reserve(chatID: Int64(1000 + index), now: 0))
        }
        #expect(Self.respects(schedule, limiter.limits))
        let last = schedule.map(\.time).max() ?? 0
        // 300 messages at 30/s: the tenth second starts the last thirty; the floor is 10 s for the whole burst.
        #expect(last >= 9 && last <= 9.05)
        #expect(schedule.filter { $0.time < 1 }.count == 30)
    }

    @Test func pacingSpreadsABurstEvenly() {
        var limiter = OutgoingRateLimiter(limits: .init(pacing: 1.0 / 30 * 1.03))
        let schedule = (0..<300).map { index in
            (chat: Int64(1000 + index), time: limiter.reserve(chatID: Int64(1000 + index), now: 0))
        }
        #expect(Self.respects(schedule, limiter.limits))
        let times = schedule.map(\.time).sorted()
        #expect(zip(times, times.dropFirst()).allSatisfy { $1 - $0 >= 1.0 / 30 * 1.03 - 1e-9 })
        #expect((times.last ?? 0) < 10.3)
    }

    @Test func aMarginSpacesTheSlotsForJitter() {
        var limiter = OutgoingRateLimiter(limits: .init(margin: 0.05))
        let times = (0..<3).map { _ in limiter.reserve(chatID: 7, now: 0) }
        #expect(zip(times, [0.0, 1.05, 2.1]).allSatisfy { abs($0 - $1) < 0.001 })
    }

    @Test func oneUserGetsOneMessageASecondInOrder() {
        var limiter = OutgoingRateLimiter()
        let times = (0..<4).map { _ in limiter.reserve(chatID: 42, now: 10) }
        #expect(zip(times, [10.0, 11, 12, 13]).allSatisfy { abs($0 - $1) < 0.01 })
        // Another user is not held up by the first one's queue.
        #expect(limiter.reserve(chatID: 43, now: 10) == 10)
    }

    @Test func groupsGetOneASecondAndTwentyAMinute() {
        var limiter = OutgoingRateLimiter()
        let times = (0..<25).map { _ in limiter.reserve(chatID: -100_123, now: 0) }
        #expect(times.prefix(20).allSatisfy { $0 < 60 })
        #expect(zip(times.prefix(20), times.prefix(20).dropFirst()).allSatisfy { $1 - $0 >= 1 })
        #expect(times[20] >= 60)
        #expect(Self.respects(times.map { (chat: Int64(-100_123), time: $0) }, limiter.limits))
    }

    @Test(arguments: 0..<20)
    func randomTrafficNeverBreaksALimit(seed: Int) {
        var generator = SplitMix(seed: UInt64(seed))
        var limiter = OutgoingRateLimiter()
        var now = 0.0
        var schedule = [(chat: Int64, time: Double)]()
        for _ in 0..<400 {
            now += Double(generator.next() % 100) / 1000
            let chat = generator.next() % 4 == 0 ? -Int64(generator.next() % 3 + 1) : Int64(generator.next() % 40 + 1)
            let time = limiter.reserve(chatID: chat, now: now)
            #expect(time >= now)
            schedule.append((chat, time))
        }
        #expect(Self.respects(schedule, limiter.limits))
    }
}

/// A small deterministic generator, so failures replay.
private struct SplitMix {
    var state: UInt64

    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
