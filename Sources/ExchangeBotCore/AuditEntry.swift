import Foundation

/// One line of the audit log: who did what to which key, and how it ended. Never holds a secret.
public struct AuditEntry: Sendable, Equatable {
    public var at: Date
    public var caller: Caller
    public var action: AuditAction
    /// The `user_exchanges.id` acted on, if any.
    public var keyID: Int64?
    public var outcome: AuditOutcome
    /// A short explanation: the refusal's code, a counts summary. Written by our code, never user secrets.
    public var detail: String?

    public init(
        at: Date,
        caller: Caller,
        action: AuditAction,
        keyID: Int64? = nil,
        outcome: AuditOutcome,
        detail: String? = nil
    ) {
        self.at = at
        self.caller = caller
        self.action = action
        self.keyID = keyID
        self.outcome = outcome
        self.detail = detail
    }
}

/// What was attempted. The raw values are stored; keep them stable.
public enum AuditAction: String, Sendable, Codable, CaseIterable {
    case addKey = "key.add"
    case updateKey = "key.update"
    case deleteKey = "key.delete"
    case activateKey = "key.activate"
    case deactivateKey = "key.deactivate"
    case approveKey = "key.approve"
    case rejectKey = "key.reject"
    case checkKeyHealth = "key.health_check"
    /// A key check a user started (adding a key, new credentials, activating a held key): what
    /// ``KeyCheckBudget`` counts. Its `user_id` is the key's owner.
    case startKeyCheck = "key.check"
    case rotateMasterKey = "master_key.rotate"
    /// A one-time code to link a Telegram account was issued (command line or REST).
    case issueLinkCode = "telegram.link_code"
    case linkTelegram = "telegram.link"
    case unlinkTelegram = "telegram.unlink"
}

/// How an attempt ended.
public enum AuditOutcome: String, Sendable, Codable {
    case succeeded = "ok"
    /// Refused by a rule (bad input, wrong state, not the owner): nothing changed.
    case refused
    /// Failed for a reason outside the caller's control (exchange down, storage error).
    case failed
}
