import ExchangeBotCore
import ServiceMetrics

/// The exchange validator with each check counted by exchange and outcome and timed (``ServiceMetrics/keyCheck``).
/// The outcome is `valid` or the error's stable ``CredentialError/code``: a fixed word, never text from the exchange.
struct MeasuredValidator: CredentialValidator {
    let base: any CredentialValidator

    func validate(_ credentials: Credentials) async throws(CredentialError) -> ValidationReport {
        let start = ContinuousClock.now
        let outcome: String
        defer {
            ServiceMetrics.keyCheck(
                exchange: credentials.exchange.rawValue,
                outcome: outcome,
                duration: ContinuousClock.now - start
            )
        }
        do {
            let report = try await base.validate(credentials)
            outcome = "valid"
            return report
        } catch {
            outcome = error.code
            throw error
        }
    }
}
