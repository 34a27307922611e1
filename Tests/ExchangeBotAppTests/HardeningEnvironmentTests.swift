import ExchangeBotApp
import ExchangeBotCore
import ExchangeKeyCheck
import Testing

/// The hardening variables read at start (`UNKNOWN_WITHDRAW_POLICY`, `API_KEY_SUBMIT_LIMIT`,
/// `OUTBOX_RETENTION_DAYS`): DESIGN.md's defaults, and a clear error naming the variable for a bad value.
@Suite struct HardeningEnvironmentTests {
    @Test func defaultsAreDesignsTable() throws {
        let environment = Environment([:])
        #expect(try environment.unknownWithdrawPolicy() == .warn)
        #expect(try environment.keyCheckBudget() == KeyCheckBudget(checks: 10, window: 3600))
        #expect(try environment.outboxRetentionDays() == 30)
    }

    @Test func setValuesAreRead() throws {
        let environment = Environment([
            "UNKNOWN_WITHDRAW_POLICY": "REFUSE",
            "API_KEY_SUBMIT_LIMIT": "3/minute",
            "OUTBOX_RETENTION_DAYS": "7",
        ])
        #expect(try environment.unknownWithdrawPolicy() == .refuse)
        #expect(try environment.keyCheckBudget() == KeyCheckBudget(checks: 3, window: 60))
        #expect(try environment.outboxRetentionDays() == 7)
    }

    @Test(arguments: [
        ("UNKNOWN_WITHDRAW_POLICY", "allow"),
        ("API_KEY_SUBMIT_LIMIT", "10 per hour"),
        ("API_KEY_SUBMIT_LIMIT", "-1/hour"),
        ("OUTBOX_RETENTION_DAYS", "0"),
        ("OUTBOX_RETENTION_DAYS", "99999999999999999999"),
    ])
    func aBadValueNamesItsVariable(variable: String, value: String) {
        let environment = Environment([variable: value])
        do {
            switch variable {
            case "UNKNOWN_WITHDRAW_POLICY": _ = try environment.unknownWithdrawPolicy()
            case "API_KEY_SUBMIT_LIMIT": _ = try environment.keyCheckBudget()
            default: _ = try environment.outboxRetentionDays()
            }
            Issue.record("accepted \(variable)=\(value)")
        } catch {
            #expect(error.variable == variable)
        }
    }
}
