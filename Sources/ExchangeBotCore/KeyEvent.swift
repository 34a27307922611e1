/// Something that happened to a key that people must hear about: admins about a key to decide, its owner about
/// the decision.
///
/// Events are written to the store's outbox in the same transaction as the change they describe, so a crash
/// between the change and the message loses nothing; ``outboxID`` marks them delivered afterwards. The stored
/// event is sealed with the master key and carries no email: an API key (which the Python side may keep
/// encrypted) never sits in the outbox in clear.
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
        /// Its owner renamed it while it waited for a decision: the request admins see is replaced by one with the
        /// new label (the decision still stands on the same version of the key).
        case relabeled(ValidationReport?)
        /// For the admin group only: `count` approved keys cannot be checked for a reason that is the service's,
        /// not their owners' (`code`: a secret no configured master key opens, an exchange this service does not
        /// know). Nothing was changed; ``KeyEvent/key`` is the first key affected. Raised once until it clears.
        case serviceAlert(code: String, count: Int)
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
