import ExchangeBotCore
import Foundation
import Testing

/// `locales/en.json` holds a text for every error code and exchange people can meet.
@Suite struct LocaleCoverageTests {
    static let english: [String: String] = {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        let data = (try? Data(contentsOf: root.appendingPathComponent("locales/en.json"))) ?? Data()
        return (try? JSONDecoder().decode([String: String].self, from: data)) ?? [:]
    }()

    @Test func everyErrorCodeHasAnEnglishText() {
        let credentialErrors: [CredentialError] = [
            .invalidAPIKey, .invalidKeyOrIP, .authenticationFailed, .permissionDenied, .invalidSecret,
            .invalidPassphrase, .ipNotWhitelisted, .clockSkew, .tradePermissionMissing,
            .withdrawalEnabled, .withdrawalUnknown, .exchangeUnavailable(""), .rateLimited, .timeout,
            .unexpectedResponse(""),
            .sandboxUnavailable(.mexc),
        ]
        let approvalErrors: [ApprovalError] = [
            .invalidInput(field: .label, problem: ""), .unknownExchange(""), .passphraseRequired(.okx),
            .passphraseNotAccepted(.binance), .duplicateKey(existingID: 0), .keyNotFound, .userNotFound, .userInactive,
            .notApproved(.pending), .alreadyDecided(.approved, by: nil), .secretUnreadable, .storageFailure,
            .tooManyKeyChecks(retryAfterSeconds: 60), .requestOutdated,
        ]
        let codes = credentialErrors.map(\.code) + approvalErrors.map(\.code)
        #expect(!Self.english.isEmpty)
        for code in codes {
            #expect(Self.english["error.\(code)"] != nil, "locales/en.json lacks error.\(code)")
        }
    }

    /// The admin group's texts for service alerts (one per code the health check raises) and the request's line.
    @Test func everyServiceAlertHasAnEnglishText() {
        for code in [ApprovalError.secretUnreadable.code, ApprovalError.unknownExchange("").code] {
            #expect(
                Self.english["admin.service_alert_\(code).other"] != nil,
                "locales/en.json lacks the plural group admin.service_alert_\(code)"
            )
        }
        #expect(Self.english["admin.withdraw_unknown"] != nil && Self.english["admin.relabeled"] != nil)
    }

    @Test func everyExchangeAndStatusHasAnEnglishText() {
        for exchange in ExchangeID.allCases {
            #expect(Self.english["exchange.\(exchange.rawValue)"] == exchange.displayName)
        }
        for status in KeyStatus.allCases {
            #expect(Self.english["status.\(status.rawValue)"] != nil)
        }
    }
}
