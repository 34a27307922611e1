import ExchangeBotCore
import Foundation
import Testing

@testable import ExchangeKeyCheck

/// Text an exchange wrote (error labels, account types, permission names) reaches users, admins and the audit
/// log: it must arrive bounded, without characters that break lines, reorder or hide text.
@Suite struct ExchangeTextTests {
    /// A hostile label: bidi override, zero-width space, newlines, a C1 control, a private-use character, and far
    /// more than anyone should read.
    static let hostile =
        "EVIL\u{202E}txt.exe\u{200B}\n<b>line</b>\r\u{85}\u{E000}" + String(repeating: "A", count: 10_000)

    static func isClean(_ text: String, limit: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(text.count <= limit, "\(text.count) characters", sourceLocation: sourceLocation)
        #expect(text.unicodeScalars.count <= 4 * limit, sourceLocation: sourceLocation)
        let hidden = text.unicodeScalars.filter {
            [.control, .format, .lineSeparator, .paragraphSeparator, .privateUse].contains(
                $0.properties.generalCategory
            )
        }
        #expect(hidden.isEmpty, "\(hidden.map { String($0.value, radix: 16) })", sourceLocation: sourceLocation)
    }

    @Test func aGateErrorLabelIsEchoedBounded() async throws {
        let transport = ScriptedTransport()
        let body = try JSONSerialization.data(withJSONObject: ["label": Self.hostile, "message": "nope"])
        transport.on("/api/v4/account/main_keys", .answer(status: 400, body: String(decoding: body, as: UTF8.self)))
        do {
            _ = try await AdapterTests.validator(transport).validate(AdapterTests.credentials(.gate))
            Issue.record("an unknown Gate label must refuse the key")
        } catch {
            guard case .unexpectedResponse(let detail) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(detail.hasPrefix("Gate error EVILtxt.exe<b>line</b>AAA"))
            Self.isClean(detail, limit: ExchangeText.maxCharacters)
            Self.isClean(error.message, limit: 400)
        }
    }

    @Test func reportedNamesAreBounded() async throws {
        let transport = ScriptedTransport()
        let account: [String: Any] = [
            "canTrade": true, "canWithdraw": false, "accountType": Self.hostile,
            "permissions": Array(repeating: Self.hostile, count: 1000) + ["SPOT"],
        ]
        let body = String(decoding: try JSONSerialization.data(withJSONObject: account), as: UTF8.self)
        transport.on("/api/v3/account", .answer(status: 200, body: body))
        let report = try await AdapterTests.validator(transport).validate(AdapterTests.credentials(.mexc))
        let accountType = try #require(report.accountType)
        Self.isClean(accountType, limit: ExchangeText.maxNameCharacters)
        #expect(report.permissions.count <= ExchangeText.maxNames)
        for name in report.permissions { Self.isClean(name, limit: ExchangeText.maxNameCharacters) }
    }

    @Test func boundingKeepsOrdinaryTextAndCutsOnCharacters() {
        #expect(ExchangeText.bounded("INVALID_KEY") == "INVALID_KEY")
        #expect(ExchangeText.bounded("ünïcødé 🚀 ok") == "ünïcødé 🚀 ok")
        let flags = String(repeating: "🇺🇦", count: 300)
        let cut = ExchangeText.bounded(flags)
        #expect(cut.count == ExchangeText.maxCharacters && cut.hasSuffix("…"))
        #expect(cut.dropLast().allSatisfy { $0 == "🇺🇦" })
        // One character with thousands of combining marks is still bounded in scalars.
        let stacked = "e" + String(repeating: "\u{301}", count: 5000)
        Self.isClean(ExchangeText.bounded(stacked), limit: ExchangeText.maxCharacters)
    }
}
