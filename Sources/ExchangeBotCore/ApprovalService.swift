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
    let keyCheckBudget: KeyCheckBudget?
    let problems: @Sendable (ServiceProblem) -> Void

    /// - Parameters:
    ///   - keyCheckBudget: The key checks one user may start per window (`API_KEY_SUBMIT_LIMIT`); `nil`: no limit.
    ///   - problems: Told of faults on the service's side (logged at error level by the composition root).
    public init(
        store: any ExchangeStore,
        validator: any CredentialValidator,
        notifier: any Notifier,
        clock: any WallClock = SystemClock(),
        keyCheckBudget: KeyCheckBudget? = nil,
        problems: @escaping @Sendable (ServiceProblem) -> Void = { _ in }
    ) {
        self.store = store
        self.validator = validator
        self.notifier = notifier
        self.clock = clock
        self.keyCheckBudget = keyCheckBudget
        self.problems = problems
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
            try await reserveKeyCheck(userID: userID, caller: caller)
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
    /// A key that a health check deactivated (it could withdraw, the exchange refused it) is checked with its
    /// exchange again before it becomes active: it stays inactive unless that check passes. The account must be
    /// active.
    public func setActive(keyID: Int64, userID: Int64, active: Bool, by caller: Caller) async throws(ApprovalError)
        -> ExchangeKey
    {
        let audit = AuditDraft(
            action: active ? .activateKey : .deactivateKey,
            caller: caller,
            keyID: keyID,
            clock: clock
        )
        do {
            try await requireActiveUser(userID)
            var outcome = try await storeCall {
                try await store.setActive(
                    id: keyID,
                    ownerID: userID,
                    active: active,
                    freshReport: nil,
                    audit: audit.entry(.succeeded)
                )
            }
            if case .checkRequired = outcome {
                guard let credentials = try await storeCall({ try await store.credentials(ofKey: keyID) }) else {
                    throw ApprovalError.keyNotFound
                }
                try await reserveKeyCheck(userID: userID, caller: caller)
                let report = try await validate(credentials)
                outcome = try await storeCall {
                    try await store.setActive(
                        id: keyID,
                        ownerID: userID,
                        active: true,
                        freshReport: report,
                        audit: audit.entry(.succeeded, detail: "rechecked")
                    )
                }
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
        let draft = AuditDraft(action: .activateKey, caller: caller, keyID: keyID, clock: clock)
        do {
            try await requireActiveUser(userID)
        } catch {
            throw await refuse(error, draft)
        }
        guard let key = try await ownedKey(keyID, userID: userID) else {
            throw await refuse(ApprovalError.keyNotFound, draft)
        }
        return try await setActive(keyID: keyID, userID: userID, active: !key.isActive, by: caller)
    }

    /// Deletes a user's own key. The account must be active.
    public func deleteKey(keyID: Int64, userID: Int64, by caller: Caller) async throws(ApprovalError) {
        let audit = AuditDraft(action: .deleteKey, caller: caller, keyID: keyID, clock: clock)
        do {
            try await requireActiveUser(userID)
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
        let audit = AuditDraft(action: .updateKey, caller: caller, keyID: keyID, clock: clock)
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
                try await reserveKeyCheck(userID: userID, caller: caller)
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

    /// Spends one of the user's key checks, before any call to an exchange.
    private func reserveKeyCheck(userID: Int64, caller: Caller) async throws(ApprovalError) {
        guard let keyCheckBudget else { return }
        let entry = AuditEntry(
            at: clock.now(),
            caller: Caller(userID: userID, telegramID: caller.telegramID, displayName: caller.displayName),
            action: .startKeyCheck,
            outcome: .succeeded
        )
        let grant = try await storeCall {
            try await store.reserveKeyCheck(userID: userID, budget: keyCheckBudget, audit: entry)
        }
        if case .exhausted(let seconds) = grant { throw .tooManyKeyChecks(retryAfterSeconds: seconds) }
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
        // Only an activation without a fresh report meets a hold, and ``setActive`` then checks the key.
        case .checkRequired: throw .storageFailure
        }
    }

    func storeCall<T>(_ body: () async throws -> T) async throws(ApprovalError) -> T {
        do {
            return try await body()
        } catch let error as ApprovalError {
            throw error
        } catch {
            throw .storageFailure
        }
    }

    /// Records a refusal or failure in the audit log and returns the typed error to throw.
    func refuse(_ error: any Error, _ audit: AuditDraft) async -> ApprovalError {
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
