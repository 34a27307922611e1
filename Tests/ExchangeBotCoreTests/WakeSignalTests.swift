import ExchangeBotCore
import Testing

/// The signal's alarm: a sender that knows when its next work comes due is woken then, the earliest time asked for
/// wins, and a stopped signal sets no alarm.
@Suite struct WakeSignalTests {
    /// How long until the signal's next wake (at most `limit`; `nil` if none came by then).
    func nextWake(of signal: WakeSignal, within limit: Duration) async -> Duration? {
        let started = ContinuousClock.now
        return await withTaskGroup(of: Duration?.self) { group in
            group.addTask {
                var wakes = signal.wakes.makeAsyncIterator()
                return await wakes.next() == nil ? nil : ContinuousClock.now - started
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    @Test func anAlarmWakesTheSenderAtItsTime() async {
        let signal = WakeSignal()
        signal.wake(at: .now + .milliseconds(100))
        let waited = await nextWake(of: signal, within: .seconds(5))
        #expect(waited.map { $0 >= .milliseconds(90) } == true, "\(String(describing: waited))")
    }

    @Test func theEarliestAlarmWins() async {
        let later = WakeSignal()
        later.wake(at: .now + .seconds(30))
        later.wake(at: .now + .milliseconds(50))
        #expect(await nextWake(of: later, within: .seconds(5)) != nil, "an earlier alarm replaces a later one")

        let earlier = WakeSignal()
        earlier.wake(at: .now + .milliseconds(50))
        earlier.wake(at: .now + .seconds(30))
        #expect(await nextWake(of: earlier, within: .seconds(5)) != nil, "a later alarm does not push an earlier one")
    }

    @Test func anAlarmThatFiredCanBeSetAgain() async {
        let signal = WakeSignal()
        signal.wake(at: .now + .milliseconds(20))
        #expect(await nextWake(of: signal, within: .seconds(5)) != nil)
        signal.wake(at: .now + .milliseconds(20))
        #expect(await nextWake(of: signal, within: .seconds(5)) != nil)
    }

    @Test func aStoppedSignalEndsItsWaitAndSetsNoAlarm() async {
        let signal = WakeSignal()
        signal.wake(at: .now + .milliseconds(20))
        signal.stop()
        signal.wake(at: .now + .milliseconds(20))
        var wakes = signal.wakes.makeAsyncIterator()
        #expect(await wakes.next() == nil, "stopped: the wait ends, no wake is delivered")
    }
}
