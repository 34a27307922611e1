import Foundation

/// The rules for adding, changing and deciding on exchange keys: the core of the product.
///
/// It has no I/O of its own. The exchange check, the store, the notifications and the clock are injected, so the
/// bot and the REST API share the same rules and tests run without a network. Every action, and every refusal,
/// leaves a line in the audit log; decisions reach the key's owner through the ``Notifier``.
///
/// Authorisation is the caller's job: the REST API checks `users.is_admin`, the bot its admin list, before
/// calling ``approve(keyID:by:message:)`` or ``reject(keyID:by:reason:)``. User-level calls take the owner's id
/// and see only that owner's keys.
public struct ApprovalService: Sendable {
    let store: any ExchangeStore
    let validator: any CredentialValidator
    let notifier: any Notifier
    let clock: any WallClock

    public init(
        store: any ExchangeStore,
        validator: any CredentialValidator,
        notifier: any Notifier,
        clock: any WallClock = SystemClock()
    ) {
        self.store = store
        self.validator = validator
        self.notifier = notifier
        self.clock = clock
    }

    // MARK: - Users' keys

    /// Checks a new key, validates it with its exchange, and stores it encrypted as PENDING and inactive.
    /// Invalid keys are never stored.
    public func addKey(_ submission: KeySubmission, userID: Int64, by caller: Caller) async throws(ApprovalError)
        -> ExchangeKey
    {
        let audit = AuditDraft(action: .addKey, caller: caller, clock: clock)
        do {
            try await requireActiveUser(userID)
            let exchange = try KeyRules.exchange(submission.exchange)
            let label = try KeyRules.label(submission.label)
            let credentials = try KeyRules.credentials(
                exchange: exchange,
                apiKey: submission.apiKey,
                apiSecret: submission.apiSecret,
                passphrase: submission.passphrase
            )
            if let existing = try await storeCall({ try await store.keys(ofUser: userID) })
                .first(where: { $0.exchange == exchange && $0.apiKey == credentials.apiKey })
            {
                throw ApprovalError.duplicateKey(existingID: existing.id)
            }
            let report = try await validate(credentials)
            let stored = StoredKeySubmission(
                userID: userID,
                label: label,
                credentials: credentials,
                report: report,
                at: clock.now()
            )
            let outcome = try await storeCall { try await store.insertKey(stored, audit: audit.entry(.succeeded)) }
            switch outcome {
            case .inserted(let key, let event):
                await deliver(event)
                return key
            case .duplicate(let existingID):
                throw ApprovalError.duplicateKey(existingID: existingID)
            }
        } catch {
            throw await refuse(error, audit)
        }
    }

    /// A user's keys, oldest first.
    public func keys(ofUser userID: Int64) async throws(ApprovalError) -> [ExchangeKey] {
        try await storeCall { try await store.keys(ofUser: userID) }
    }

    /// Activates or deactivates a user's key. Only APPROVED keys can be activated; deactivation always works.
    public func setActive(keyID: Int64, userID: Int64, active: Bool, by caller: Caller) async throws(ApprovalError)
        -> ExchangeKey
    {
        let audit = AuditDraft(
            action: active ? .activateKey : .deactivateKey,
            caller: caller,
            exchangeID: keyID,
            clock: clock
        )
        do {
            let outcome = try await storeCall {
                try await store.setActive(id: keyID, ownerID: userID, active: active, audit: audit.entry(.succeeded))
            }
            return try await finish(outcome)
        } catch {
            throw await refuse(error, audit)
        }
    }

    /// Flips a key between active and inactive (the REST `toggle`).
    public func toggleActive(keyID: Int64, userID: Int64, by caller: Caller) async throws(ApprovalError)
        -> ExchangeKey
    {
        guard let key = try await ownedKey(keyID, userID: userID) else {
            throw await refuse(
                ApprovalError.keyNotFound,
                AuditDraft(action: .activateKey, caller: caller, exchangeID: keyID, clock: clock)
            )
        }
        return try await setActive(keyID: keyID, userID: userID, active: !key.isActive, by: caller)
    }

    /// Deletes a user's own key.
    public func deleteKey(keyID: Int64, userID: Int64, by caller: Caller) async throws(ApprovalError) {
        let audit = AuditDraft(action: .deleteKey, caller: caller, exchangeID: keyID, clock: clock)
        do {
            let outcome = try await storeCall {
                try await store.deleteKey(id: keyID, ownerID: userID, audit: audit.entry(.succeeded))
            }
            guard case .deleted(let event) = outcome else { throw ApprovalError.keyNotFound }
            if let event { await deliver(event) }
        } catch {
            throw await refuse(error, audit)
        }
    }

    /// Changes a key's label and/or credentials. New credentials are validated like a new key and send the key
    /// back to PENDING and inactive; a label alone keeps the key's status, since it changes nothing the exchange
    /// sees.
    public func updateKey(
        keyID: Int64,
        userID: Int64,
        label newLabel: String?,
        credentials submission: KeySubmission?,
        by caller: Caller
    ) async throws(ApprovalError) -> ExchangeKey {
        let audit = AuditDraft(action: .updateKey, caller: caller, exchangeID: keyID, clock: clock)
        do {
            try await requireActiveUser(userID)
            guard let key = try await ownedKey(keyID, userID: userID) else { throw ApprovalError.keyNotFound }
            let label = try newLabel.map { (text) throws(ApprovalError) in try KeyRules.label(text) }
            var change = KeyChange(label: label, at: clock.now())
            if let submission {
                let exchange = try KeyRules.exchange(
                    submission.exchange.isEmpty ? key.exchangeName : submission.exchange
                )
                guard exchange == key.exchange else {
                    throw ApprovalError.invalidInput(
                        field: .exchange,
                        problem: "cannot change; add a new key for another exchange"
                    )
                }
                let credentials = try KeyRules.credentials(
                    exchange: exchange,
                    apiKey: submission.apiKey,
                    apiSecret: submission.apiSecret,
                    passphrase: submission.passphrase
                )
                change.credentials = credentials
                change.report = try await validate(credentials)
            }
            guard change.label != nil || change.credentials != nil else {
                throw ApprovalError.invalidInput(field: .label, problem: "give a new label or new credentials")
            }
            let outcome = try await storeCall {
                try await store.updateKey(id: keyID, ownerID: userID, change: change, audit: audit.entry(.succeeded))
            }
            return try await finish(outcome)
        } catch {
            throw await refuse(error, audit)
        }
    }

    // MARK: - Admin decisions

    /// Keys waiting for a decision, oldest first, with their owners and what validation found.
    public func pendingRequests() async throws(ApprovalError) -> [PendingRequest] {
        try await storeCall { try await store.pendingRequests() }
    }

    /// The key if it still waits for a decision; otherwise why not (``ApprovalError/alreadyDecided(_:by:)`` naming
    /// who decided, or ``ApprovalError/keyNotFound``). For asking "why?" before rejecting a key that is decided.
    public func pendingKey(_ keyID: Int64) async throws(ApprovalError) -> ExchangeKey {
        guard let key = try await storeCall({ try await store.key(id: keyID) }) else { throw .keyNotFound }
        guard key.status == .pending else {
            throw .alreadyDecided(key.status, by: try await storeCall { try await store.decider(ofKey: keyID) })
        }
        return key
    }

    /// Approves a PENDING key. If two admins decide at once, exactly one wins; the other gets
    /// ``ApprovalError/alreadyDecided(_:by:)``.
    ///
    /// - Parameter revision: The ``ExchangeKey/revision`` the admin saw; a key changed since is not approved.
    public func approve(keyID: Int64, by caller: Caller, message: String? = nil, revision: String? = nil)
        async throws(ApprovalError) -> ExchangeKey
    {
        let audit = AuditDraft(action: .approveKey, caller: caller, exchangeID: keyID, clock: clock)
        do {
            let note = try KeyRules.note(message, field: .message)
            return try await decide(keyID, .approve(message: note), revision, audit)
        } catch {
            throw await refuse(error, audit)
        }
    }

    /// Rejects a PENDING key; the reason is stored in `error_message` and sent to the owner.
    public func reject(keyID: Int64, by caller: Caller, reason: String, revision: String? = nil)
        async throws(ApprovalError) -> ExchangeKey
    {
        let audit = AuditDraft(action: .rejectKey, caller: caller, exchangeID: keyID, clock: clock)
        do {
            guard let reason = try KeyRules.note(reason, field: .reason) else {
                throw ApprovalError.invalidInput(field: .reason, problem: "must not be empty")
            }
            return try await decide(keyID, .reject(reason: reason), revision, audit)
        } catch {
            throw await refuse(error, audit)
        }
    }

    private func decide(_ keyID: Int64, _ decision: Decision, _ revision: String?, _ audit: AuditDraft) async throws
        -> ExchangeKey
    {
        let outcome = try await storeCall {
            try await store.decide(
                id: keyID,
                decision: decision,
                expectedRevision: revision,
                audit: audit.entry(.succeeded)
            )
        }
        switch outcome {
        case .decided(let key, let event):
            await deliver(event)
            return key
        case .notFound:
            throw ApprovalError.keyNotFound
        case .alreadyDecided(let status, let by):
            throw ApprovalError.alreadyDecided(status, by: by)
        case .outdated:
            throw ApprovalError.requestOutdated
        }
    }

    /// Audits a refusal decided at the edge (a non-admin pressing Approve in the admin group, say).
    public func recordRefusal(action: AuditAction, keyID: Int64?, by caller: Caller, detail: String) async {
        let audit = AuditDraft(action: action, caller: caller, exchangeID: keyID, clock: clock)
        try? await store.recordAudit(audit.entry(.refused, detail: detail))
    }

    // MARK: - Notifications

    /// Delivers events that a crash or a notifier failure left in the outbox. Returns how many went out.
    @discardableResult
    public func deliverPendingEvents(limit: Int = 100) async -> Int {
        guard let events = try? await store.undeliveredEvents(limit: limit) else { return 0 }
        var delivered = 0
        for event in events where await deliver(event) {
            delivered += 1
        }
        return delivered
    }

    @discardableResult
    func deliver(_ event: KeyEvent) async -> Bool {
        do {
            try await notifier.deliver(event)
            try await store.markDelivered(outboxID: event.outboxID, at: clock.now())
            return true
        } catch {
            return false
        }
    }

    // MARK: - Helpers

    private func validate(_ credentials: Credentials) async throws(ApprovalError) -> ValidationReport {
        do {
            var report = try await validator.validate(credentials)
            report.checkedAt = report.checkedAt ?? clock.now()
            return report
        } catch {
            throw .validationFailed(error)
        }
    }

    private func requireActiveUser(_ userID: Int64) async throws(ApprovalError) {
        guard let user = try await storeCall({ try await store.user(id: userID) }) else { throw .userNotFound }
        guard user.isActive else { throw .userInactive }
    }

    private func ownedKey(_ keyID: Int64, userID: Int64) async throws(ApprovalError) -> ExchangeKey? {
        guard let key = try await storeCall({ try await store.key(id: keyID) }), key.userID == userID else {
            return nil
        }
        return key
    }

    private func finish(_ outcome: UpdateOutcome) async throws(ApprovalError) -> ExchangeKey {
        switch outcome {
        case .updated(let key, let event):
            if let event { await deliver(event) }
            return key
        case .notFound: throw .keyNotFound
        case .notApproved(let status): throw .notApproved(status)
        case .duplicate(let existingID): throw .duplicateKey(existingID: existingID)
        }
    }

    private func storeCall<T>(_ body: () async throws -> T) async throws(ApprovalError) -> T {
        do {
            return try await body()
        } catch let error as ApprovalError {
            throw error
        } catch {
            throw .storageFailure
        }
    }

    /// Records a refusal or failure in the audit log and returns the typed error to throw.
    private func refuse(_ error: any Error, _ audit: AuditDraft) async -> ApprovalError {
        let approvalError = (error as? ApprovalError) ?? .storageFailure
        let outcome: AuditOutcome =
            switch approvalError {
            case .storageFailure, .validationFailed(.exchangeUnavailable), .validationFailed(.timeout),
                .validationFailed(.rateLimited), .validationFailed(.unexpectedResponse):
                .failed
            default:
                .refused
            }
        try? await store.recordAudit(audit.entry(outcome, detail: approvalError.code))
        return approvalError
    }
}

/// The parts of an audit entry known before the action runs.
private struct AuditDraft {
    let action: AuditAction
    let caller: Caller
    var exchangeID: Int64?
    let clock: any WallClock

    init(action: AuditAction, caller: Caller, exchangeID: Int64? = nil, clock: any WallClock) {
        self.action = action
        self.caller = caller
        self.exchangeID = exchangeID
        self.clock = clock
    }

    func entry(_ outcome: AuditOutcome, detail: String? = nil) -> AuditEntry {
        AuditEntry(
            at: clock.now(),
            caller: caller,
            action: action,
            exchangeID: exchangeID,
            outcome: outcome,
            detail: detail
        )
    }
}
