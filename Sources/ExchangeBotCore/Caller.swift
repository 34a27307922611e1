/// Who asked for an action: a user of the REST API, a Telegram user, or the service itself.
///
/// Authorisation happens at the edges (a REST token's `users.is_admin`, a Telegram admin list); the core records
/// who acted so the audit log and "already decided by …" answers can name them.
public struct Caller: Sendable, Equatable, Codable {
    public var userID: Int64?
    public var telegramID: Int64?
    /// How to name the caller to people, e.g. `@alice` or `user 7`.
    public var displayName: String

    public init(userID: Int64? = nil, telegramID: Int64? = nil, displayName: String? = nil) {
        self.userID = userID
        self.telegramID = telegramID
        if let displayName, !displayName.isEmpty {
            self.displayName = displayName
        } else if let userID {
            self.displayName = "user \(userID)"
        } else if let telegramID {
            self.displayName = "Telegram user \(telegramID)"
        } else {
            self.displayName = "system"
        }
    }

    /// The service acting on its own (health checks, key rotation).
    public static let system = Caller(displayName: "system")
}
