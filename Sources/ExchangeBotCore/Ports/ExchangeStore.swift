import Foundation

/// Where users, keys, the audit log and the outbox live.
///
/// Every mutating call is one transaction that also appends its audit entry (and, where people must hear of it,
/// an outbox event), so the state, the log and the messages never disagree. Secrets go in as ``Credentials`` and
/// are encrypted at rest by the implementation; reads return keys without secrets.
public protocol ExchangeStore: AuditLogReader, Sendable {
    func user(id: Int64) async throws -> User?

    /// The keys of one user, oldest first.
    func keys(ofUser userID: Int64) async throws -> [ExchangeKey]

    func key(id: Int64) async throws -> ExchangeKey?

    /// Inserts a validated key as PENDING and inactive, unless the user already has this exchange's API key.
    func insertKey(_ submission: StoredKeySubmission, audit: AuditEntry) async throws -> InsertOutcome

    /// Changes a key's label and/or credentials. New credentials put it back to PENDING and inactive.
    func updateKey(id: Int64, ownerID: Int64, change: KeyChange, audit: AuditEntry) async throws -> UpdateOutcome

    /// Sets `is_active`; activation only succeeds for APPROVED keys. A key a health check deactivated is held:
    /// its activation answers ``UpdateOutcome/checkRequired`` until it comes with `freshReport`, the report of a
    /// successful check made for this activation, which lifts the hold.
    func setActive(id: Int64, ownerID: Int64, active: Bool, freshReport: ValidationReport?, audit: AuditEntry)
        async throws -> UpdateOutcome

    /// Deletes an owner's key. A key still waiting for a decision leaves a ``KeyEvent/Kind/withdrawn`` event, so
    /// the request admins see can say so.
    func deleteKey(id: Int64, ownerID: Int64, audit: AuditEntry) async throws -> DeleteOutcome

    /// Moves a PENDING key to APPROVED or REJECTED, compare-and-set: only one decision ever wins, and with
    /// `expectedRevision` only while the key is still that version (``ExchangeKey/revision``).
    func decide(id: Int64, decision: Decision, expectedRevision: String?, audit: AuditEntry) async throws
        -> DecisionOutcome

    /// Who made the last decision on a key (as the audit log names them), if anyone did.
    func decider(ofKey id: Int64) async throws -> String?

    /// Keys waiting for a decision, oldest first, with their owners and validation reports.
    func pendingRequests() async throws -> [PendingRequest]

    /// One key's request if it waits for a decision: what ``pendingRequests()`` lists for it, read alone (a check's
    /// verdict and an admin's card need one request, whatever the length of the queue).
    func pendingRequest(keyID: Int64) async throws -> PendingRequest?

    /// Keys an admin approved, oldest first, except those held after a failed health check (the ones health
    /// checks watch: a held key is checked again only when its owner activates it), unless such a key is active
    /// all the same (the Python side, which knows nothing of holds, activated it): an active key is always watched.
    func approvedKeys() async throws -> [ExchangeKey]

    /// Stores the outcome of a health check: a fresh report for a healthy key; for a broken one, deactivation with
    /// the reason in `error_message`, a hold (activation needs a fresh check), and an event for its owner, the
    /// first time only.
    func recordHealth(id: Int64, outcome: HealthOutcome, audit: AuditEntry) async throws -> KeyEvent?

    /// Opens a service alert for the admin group (see ``KeyEvent/Kind/serviceAlert(code:count:)``) unless one
    /// with this code is already open; the event is `nil` then.
    func raiseServiceAlert(code: String, keyIDs: [Int64], at: Date) async throws -> KeyEvent?

    /// Closes the open service alerts whose code is not in `codes` (the fault went away), so a new fault alerts
    /// again.
    func closeServiceAlerts(except codes: Set<String>) async throws

    /// Counts a key check against the user's budget: granted and recorded (the audit entry, in the same
    /// transaction), or refused with the seconds until the oldest check in the window leaves it.
    func reserveKeyCheck(userID: Int64, budget: KeyCheckBudget, audit: AuditEntry) async throws -> KeyCheckGrant

    /// The decrypted credentials of a key, for talking to its exchange.
    func credentials(ofKey id: Int64) async throws -> Credentials?

    /// Appends an audit entry on its own (refusals, which change nothing else).
    func recordAudit(_ entry: AuditEntry) async throws

    /// Up to `limit` events not yet delivered, oldest first. Rows that cannot be read (damaged, or sealed with a
    /// key no longer configured) are parked, so they neither block the others nor come back, and reported.
    func undeliveredBatch(limit: Int, at: Date) async throws -> OutboxBatch

    func markDelivered(outboxID: Int64, at: Date) async throws
}

/// A validated key ready to be stored.
public struct StoredKeySubmission: Sendable {
    public var userID: Int64
    public var label: String
    public var credentials: Credentials
    public var report: ValidationReport
    public var at: Date

    public init(userID: Int64, label: String, credentials: Credentials, report: ValidationReport, at: Date) {
        self.userID = userID
        self.label = label
        self.credentials = credentials
        self.report = report
        self.at = at
    }
}

/// A change to a stored key: a new label, new validated credentials, or both.
public struct KeyChange: Sendable {
    public var label: String?
    public var credentials: Credentials?
    public var report: ValidationReport?
    public var at: Date

    public init(label: String? = nil, credentials: Credentials? = nil, report: ValidationReport? = nil, at: Date) {
        self.label = label
        self.credentials = credentials
        self.report = report
        self.at = at
    }
}

/// What a health check of an approved key found.
public enum HealthOutcome: Sendable, Equatable {
    case healthy(ValidationReport)
    /// The key no longer works or no longer meets the policy; the text is for its owner.
    case broken(reason: String)
}

/// An admin's decision on a pending key.
public enum Decision: Sendable, Equatable {
    case approve(message: String?)
    case reject(reason: String)

    public var status: KeyStatus {
        switch self {
        case .approve: .approved
        case .reject: .rejected
        }
    }
}

public enum InsertOutcome: Sendable, Equatable {
    case inserted(ExchangeKey, event: KeyEvent)
    case duplicate(existingID: Int64)
}

public enum UpdateOutcome: Sendable, Equatable {
    /// Updated; `event` is set when admins must hear of it (new credentials, a pending key renamed).
    case updated(ExchangeKey, event: KeyEvent?)
    case notFound
    /// The key is held after a failed health check: it may be activated only with a fresh check's report.
    case checkRequired
    /// Activation of a key that is not APPROVED.
    case notApproved(KeyStatus)
    /// New credentials collide with another key of the same user and exchange.
    case duplicate(existingID: Int64)
}

public enum DeleteOutcome: Sendable, Equatable {
    case deleted(event: KeyEvent?)
    /// The owner has no such key.
    case notFound
}

public enum DecisionOutcome: Sendable, Equatable {
    case decided(ExchangeKey, event: KeyEvent)
    case notFound
    /// Someone decided first; who, if the audit log knows.
    case alreadyDecided(KeyStatus, by: String?)
    /// The key is no longer the version the decision was made on.
    case outdated
}

/// Undelivered outbox events, and the rows parked because they could not be read.
public struct OutboxBatch: Sendable, Equatable {
    public var events: [KeyEvent]
    /// Outbox ids of rows parked by this read.
    public var parked: [Int64]

    public init(events: [KeyEvent], parked: [Int64] = []) {
        self.events = events
        self.parked = parked
    }
}
