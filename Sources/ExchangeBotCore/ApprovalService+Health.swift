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
        /// Keys the service itself could not check (a secret no configured master key opens, an exchange it does
        /// not know), by the problem's code: left as they were, and the admin group is told once.
        public var uncheckable: [String: [Int64]] = [:]

        public init() {}
    }

    /// Re-checks every approved key with its exchange (except keys already held after a failed check).
    ///
    /// A key the exchange now refuses, or that no longer meets the policy (it can withdraw, it cannot trade), is
    /// deactivated with the reason in `error_message`, held, and its owner is told once; it stays APPROVED, and
    /// activating it again checks it with its exchange first. An exchange that cannot answer changes nothing.
    /// A key the service cannot check for its own reason (its secret opens with no configured master key after a
    /// botched rotation, an unknown exchange name) is not the owner's fault: nothing changes, the problem is
    /// reported at error level, and the admin group hears of it once until it clears.
    public func checkApprovedKeys() async -> HealthSummary {
        var summary = HealthSummary()
        guard let keys = try? await store.approvedKeys() else { return summary }
        for key in keys {
            summary.checked += 1
            switch await checkHealth(of: key) {
            case .checked(.healthy): summary.healthy += 1
            case .checked(.broken): summary.deactivated += 1
            case .inconclusive: summary.inconclusive += 1
            case .uncheckable(let code):
                summary.uncheckable[code, default: []].append(key.id)
                problems(.keyUncheckable(keyID: key.id, code: code))
            }
        }
        for (code, ids) in summary.uncheckable.sorted(by: { $0.key < $1.key }) {
            if let event = try? await store.raiseServiceAlert(code: code, keyIDs: ids, at: clock.now()) {
                await deliver(event)
            }
        }
        try? await store.closeServiceAlerts(except: Set(summary.uncheckable.keys))
        return summary
    }

    /// How one key's health check ended.
    enum HealthCheckResult {
        case checked(HealthOutcome)
        case inconclusive
        /// The service could not check the key (the code says why); nothing changed.
        case uncheckable(String)
    }

    /// Checks one key.
    func checkHealth(of key: ExchangeKey) async -> HealthCheckResult {
        let audit = { (outcome: AuditOutcome, detail: String?) in
            AuditEntry(
                at: clock.now(),
                caller: .system,
                action: .checkKeyHealth,
                keyID: key.id,
                outcome: outcome,
                detail: detail
            )
        }
        let outcome: HealthOutcome
        do {
            guard let credentials = try await store.credentials(ofKey: key.id) else { return .inconclusive }
            var report = try await validator.validate(credentials)
            report.checkedAt = clock.now()
            outcome = .healthy(report)
        } catch let error as CredentialError where !error.isTransient {
            outcome = .broken(reason: error.message)
        } catch let error as ApprovalError where error == .secretUnreadable || error.code == "unknown_exchange" {
            try? await store.recordAudit(audit(.failed, error.code))
            return .uncheckable(error.code)
        } catch {
            let code = (error as? CredentialError)?.code ?? (error as? ApprovalError)?.code ?? "error"
            try? await store.recordAudit(audit(.failed, code))
            return .inconclusive
        }
        let detail: String? =
            switch outcome {
            case .healthy: nil
            case .broken(let reason): reason
            }
        guard let event = try? await store.recordHealth(id: key.id, outcome: outcome, audit: audit(.succeeded, detail))
        else { return .checked(outcome) }
        await deliver(event)
        return .checked(outcome)
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
