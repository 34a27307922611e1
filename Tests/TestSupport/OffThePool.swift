import Dispatch

/// Runs blocking work (waiting for a child process, say) on a Dispatch thread, and awaits it without holding one of
/// Swift's cooperative threads: there are as many of those as cores (two here), and a test that blocks one for
/// seconds stalls every other test in flight, which then fail their own timeouts.
public func offThePool<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}
