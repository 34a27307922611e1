import Synchronization

/// The port the HTTP listener bound, once it listens: with `API_PORT=0` the system picks it, and tests hosting the
/// runtime in-process read it here.
public final class BoundPort: Sendable {
    private let value = Mutex<Int?>(nil)

    public init() {}

    public var current: Int? { value.withLock { $0 } }

    func set(_ port: Int?) {
        value.withLock { $0 = port }
    }
}
