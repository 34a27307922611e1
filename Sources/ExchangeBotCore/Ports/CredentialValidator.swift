/// Checks a key against its exchange: does it authenticate, can it trade, can it withdraw.
///
/// Implementations talk to the exchange; the core only sees the report or the typed refusal.
public protocol CredentialValidator: Sendable {
    func validate(_ credentials: Credentials) async throws(CredentialError) -> ValidationReport
}
