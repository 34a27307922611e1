import ExchangeBotCore

/// Stands where the exchange adapters go until they are wired in: it refuses every key as "exchange unavailable",
/// so no unchecked key is ever stored.
struct UnconfiguredValidator: CredentialValidator {
    func validate(_ credentials: Credentials) async throws(CredentialError) -> ValidationReport {
        throw .exchangeUnavailable("exchange checks are not configured in this build")
    }
}
