import Dispatch

/// Maps an array on all cores, keeping the order: for CPU-bound, independent work (re-sealing secrets).
enum ParallelMap {
    static func map<Element: Sendable, Result: Sendable>(
        _ items: [Element],
        chunkSize: Int = 1024,
        _ transform: @Sendable (Element) -> Result
    ) -> [Result] {
        guard items.count > chunkSize else { return items.map(transform) }
        let chunks = (items.count + chunkSize - 1) / chunkSize
        let results = ResultSlots<Result>(count: items.count)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = chunk * chunkSize
            for index in start..<min(start + chunkSize, items.count) {
                results.store(transform(items[index]), at: index)
            }
        }
        return results.values
    }
}

/// Slots each written by exactly one worker, read only after all workers finished (`concurrentPerform` returns
/// when every iteration has), which is why unsynchronised writes to distinct indices are safe here.
private final class ResultSlots<Value>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Value?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    func store(_ value: Value, at index: Int) {
        slots[index] = value
    }

    var values: [Value] { slots.map { $0! } }
}
