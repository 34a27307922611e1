/// The audit view's reads. Authorisation is the caller's: only admins see the log (``ApprovalService``).
extension ApprovalService {
    /// A page of the audit log, newest first (see ``AuditLogReader/auditTrail(_:)``).
    public func auditTrail(_ query: AuditQuery) async throws(ApprovalError) -> AuditPage {
        try await storeCall { try await store.auditTrail(query) }
    }

    /// Whether a key exists now (the audit of a deleted key still reads; one never seen anywhere is unknown).
    public func keyExists(_ keyID: Int64) async throws(ApprovalError) -> Bool {
        try await storeCall { try await store.key(id: keyID) } != nil
    }
}
