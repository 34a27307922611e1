import Foundation
import ServiceMetrics

/// Admins' decisions on pending keys. Authorisation is the caller's (see ``ApprovalService``).
extension ApprovalService {
    /// Keys waiting for a decision, oldest first, with their owners and what validation found.
    public func pendingRequests() async throws(ApprovalError) -> [PendingRequest] {
        try await storeCall { try await store.pendingRequests() }
    }

    /// The key's request, with its owner and validation report, if the key waits for a decision.
    public func pendingRequest(keyID: Int64) async throws(ApprovalError) -> PendingRequest? {
        try await storeCall { try await store.pendingRequest(keyID: keyID) }
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
        let audit = AuditDraft(action: .approveKey, caller: caller, keyID: keyID, clock: clock)
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
        let audit = AuditDraft(action: .rejectKey, caller: caller, keyID: keyID, clock: clock)
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
            let name = if case .approve = decision { "approve" } else { "reject" }
            ServiceMetrics.decision(name, channel: audit.caller.telegramID == nil ? "rest" : "telegram")
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
        let audit = AuditDraft(action: action, caller: caller, keyID: keyID, clock: clock)
        try? await store.recordAudit(audit.entry(.refused, detail: detail))
    }
}
