import Foundation

extension ApprovalService {
    /// What one pass of health checks found.
    public struct HealthSummary: Sendable, Equatable {
        public var checked = 0
        public var healthy = 0
        /// Keys found broken and deactivated.
        public var deactivated = 0
        /// Checks that could not conclude (exchange down, timeout): the key was left as it was.
        public var inconclusive = 0

        public init() {}
    }

    /// Re-checks every approved key with its exchange.
    ///
    /// A key the exchange now refuses, or that no longer meets the policy (it can withdraw, it cannot trade), is
    /// deactivated with the reason in `error_message` and its owner is told; it stays APPROVED, so the owner can
    /// fix it on the exchange and activate it again. An exchange that cannot answer changes nothing.
    public func checkApprovedKeys() async -> HealthSummary {
        var summary = HealthSummary()
        guard let keys = try? await store.approvedKeys() else { return summary }
        for key in keys {
            summary.checked += 1
            switch await checkHealth(of: key) {
            case .healthy?: summary.healthy += 1
            case .broken?: summary.deactivated += 1
            case nil: summary.inconclusive += 1
            }
        }
        return summary
    }

    /// Checks one key; `nil` when the check could not conclude.
    func checkHealth(of key: ExchangeKey) async -> HealthOutcome? {
        let audit = { (outcome: AuditOutcome, detail: String?) in
            AuditEntry(
                at: clock.now(),
                caller: .system,
                action: .checkKeyHealth,
                exchangeID: key.id,
                outcome: outcome,
                detail: detail
            )
        }
        let outcome: HealthOutcome
        do {
            guard let credentials = try await store.credentials(ofKey: key.id) else { return nil }
            var report = try await validator.validate(credentials)
            report.checkedAt = clock.now()
            outcome = .healthy(report)
        } catch let error as CredentialError where !error.isTransient {
            outcome = .broken(reason: error.message)
        } catch ApprovalError.secretUnreadable {
            outcome = .broken(reason: ApprovalError.secretUnreadable.message)
        } catch {
            let code = (error as? CredentialError)?.code ?? (error as? ApprovalError)?.code ?? "error"
            try? await store.recordAudit(audit(.failed, code))
            return nil
        }
        let detail: String? =
            switch outcome {
            case .healthy: nil
            case .broken(let reason): reason
            }
        guard let event = try? await store.recordHealth(id: key.id, outcome: outcome, audit: audit(.succeeded, detail))
        else { return outcome }
        await deliver(event)
        return outcome
    }
}

extension CredentialError {
    /// Whether the error says nothing about the key itself (the exchange or the network failed): retrying later
    /// may succeed with the same key.
    public var isTransient: Bool {
        switch self {
        case .exchangeUnavailable, .rateLimited, .timeout, .unexpectedResponse, .clockSkew, .sandboxUnavailable: true
        default: false
        }
    }
}
