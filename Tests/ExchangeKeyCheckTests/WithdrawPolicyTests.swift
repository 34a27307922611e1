import ExchangeBotCore
import ExchangeKeyCheck
import Foundation
import TestSupport
import Testing

/// `UNKNOWN_WITHDRAW_POLICY`: a key whose withdrawal right the exchange does not report is refused under
/// `refuse`, and under `warn` accepted with the fact in its report.
@Suite struct WithdrawPolicyTests {
    static func validator(_ transport: ScriptedTransport, policy: UnknownWithdrawPolicy) -> ExchangeValidator {
        ExchangeValidator(
            transport: transport,
            endpoints: ExchangeEndpoints(
                overrides: Dictionary(uniqueKeysWithValues: ExchangeID.allCases.map { ($0, AdapterTests.origin) }),
                sandbox: false
            ),
            unknownWithdrawPolicy: policy,
            clock: FixedClock(Date(timeIntervalSince1970: 1_700_000_000))
        )
    }

    /// Gate without the `account` permission: the key works, its scopes (withdrawal included) are unknown.
    static func gateWithoutAccountPermission() -> ScriptedTransport {
        let transport = ScriptedTransport()
        transport.on(
            "/api/v4/account/main_keys",
            .answer(
                status: 403,
                body: #"{"label":"FORBIDDEN","message":"Request API key does not have account permission"}"#
            )
        )
        transport.on(
            "/api/v4/spot/accounts",
            .answer(status: 200, body: #"[{"currency":"USDT","available":"1","locked":"0"}]"#)
        )
        return transport
    }

    @Test func refusePolicyRefusesAKeyWhoseWithdrawalRightIsUnknown() async throws {
        let validator = Self.validator(Self.gateWithoutAccountPermission(), policy: .refuse)
        await #expect(throws: CredentialError.withdrawalUnknown) {
            try await validator.validate(AdapterTests.credentials(.gate))
        }
    }

    @Test func warnPolicyAcceptsItAndSaysSoInTheReport() async throws {
        let validator = Self.validator(Self.gateWithoutAccountPermission(), policy: .warn)
        let report = try await validator.validate(AdapterTests.credentials(.gate))
        #expect(report.withdrawalRightUnknown == true && report.withdrawalRightIsUnknown)
        #expect(report.warnings.contains { $0.hasPrefix("Withdrawal right unknown") })
    }

    @Test func aKnownWithdrawalRightIsNotUnknownUnderEitherPolicy() async throws {
        let transport = ScriptedTransport()
        transport.on(
            "/api/v3/account",
            .answer(
                status: 200,
                body: #"{"canTrade":true,"canWithdraw":false,"accountType":"SPOT","permissions":["SPOT"]}"#
            )
        )
        let report = try await Self.validator(transport, policy: .refuse).validate(AdapterTests.credentials(.mexc))
        #expect(report.withdrawalRightUnknown == false && !report.withdrawalRightIsUnknown)
    }

    @Test func reportsStoredBeforeThePolicyReadTheirUnknownRightFromCanWithdraw() throws {
        let old = try JSONDecoder().decode(
            ValidationReport.self,
            from: Data(#"{"canTrade":true,"permissions":[],"warnings":[]}"#.utf8)
        )
        #expect(old.withdrawalRightUnknown == nil && old.withdrawalRightIsUnknown)
    }
}
