/// A key waiting for an admin's decision, with what the admin needs to decide.
public struct PendingRequest: Sendable, Equatable {
    public var key: ExchangeKey
    public var owner: User
    public var report: ValidationReport?

    public init(key: ExchangeKey, owner: User, report: ValidationReport?) {
        self.key = key
        self.owner = owner
        self.report = report
    }
}
