/// Something that happened to a key that people must hear about: admins about a key to decide, its owner about
/// the decision.
///
/// Events are written to the store's outbox in the same transaction as the change they describe, so a crash
/// between the change and the message loses nothing; ``outboxID`` marks them delivered afterwards.
public struct KeyEvent: Sendable, Equatable, Codable {
    public enum Kind: Sendable, Equatable, Codable {
        /// A new or updated key waits for a decision.
        case submitted(ValidationReport?)
        /// Approved; the admin's message for the user, if any.
        case approved(message: String?)
        /// Rejected, with the reason for the user.
        case rejected(reason: String)
        /// A health check found the approved key broken (revoked, secret changed, withdrawals enabled…): it was
        /// deactivated; the reason says what to fix.
        case deactivated(reason: String)
        /// Its owner deleted it while it waited for a decision: the request admins see is void.
        case withdrawn
    }

    public var outboxID: Int64
    public var kind: Kind
    public var key: ExchangeKey
    public var owner: User
    public var decidedBy: Caller?

    public init(outboxID: Int64, kind: Kind, key: ExchangeKey, owner: User, decidedBy: Caller? = nil) {
        self.outboxID = outboxID
        self.kind = kind
        self.key = key
        self.owner = owner
        self.decidedBy = decidedBy
    }
}
