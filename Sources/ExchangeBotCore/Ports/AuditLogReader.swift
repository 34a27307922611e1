/// Reads the audit log back for the audit view, on whichever engine holds it.
public protocol AuditLogReader: Sendable {
    /// Up to `query.limit` rows matching the query, newest (highest id) first, and the cursor of the next page.
    func auditTrail(_ query: AuditQuery) async throws -> AuditPage
}
