/// The engines the store contract tests and the end-to-end tests run against: the embedded SQLite store and a
/// real PostgreSQL server (``PostgresTestServer``). PostgreSQL cases are skipped, with the reason printed, only
/// where PostgreSQL is not installed.
public enum StoreEngine: String, CaseIterable, Sendable {
    case sqlite
    case postgres

    /// Whether this engine can run here; prints why not when it cannot.
    public var isAvailable: Bool {
        guard self == .postgres, let reason = PostgresTestServer.unavailableReason else { return true }
        print("skipped on PostgreSQL: \(reason)")
        return false
    }
}
