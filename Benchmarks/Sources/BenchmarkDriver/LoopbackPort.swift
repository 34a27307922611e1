import BenchmarkFakes

/// Loopback TCP ports for the services a benchmark starts as separate processes.
public enum LoopbackPort {
    /// A TCP port nobody listens on now (see `FreePort.loopback()` in the test support the benches compile).
    public static func free() throws -> Int { try FreePort.loopback() }
}
