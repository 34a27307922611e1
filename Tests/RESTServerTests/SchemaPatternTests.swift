import ExchangeBotCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RESTServer
import Testing

/// The document's input patterns agree with `KeyRules`, character by character, so a schema-driven client (and
/// the Schemathesis run) finds the API accepting exactly what the document promises.
@Suite struct SchemaPatternTests {
    struct Patterns {
        let label: NSRegularExpression
        let reason: NSRegularExpression
        let message: NSRegularExpression
    }

    func patterns() async throws -> Patterns {
        let harness = try APIHarness()
        let text = try await harness.application.test(.router) { client in
            try await client.call(.get, "/openapi.json").body
        }
        let schemas = try #require((try object(text)["components"] as? [String: Any])?["schemas"] as? [String: Any])
        func pattern(_ schema: String, _ property: String?) throws -> NSRegularExpression {
            var node = try #require(schemas[schema] as? [String: Any])
            if let property { node = try #require((node["properties"] as? [String: Any])?[property] as? [String: Any]) }
            return try NSRegularExpression(pattern: try #require(node["pattern"] as? String))
        }
        return Patterns(
            label: try pattern("Label", nil),
            reason: try pattern("Reject", "reason"),
            message: try pattern("Approve", "notification_message")
        )
    }

    func matches(_ regex: NSRegularExpression, _ text: String) -> Bool {
        regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    @Test func theLabelPatternAcceptsExactlyWhatTheLabelRuleAccepts() async throws {
        let label = try await patterns().label
        func agree(_ text: String) {
            let accepted = (try? KeyRules.label(text)) != nil
            #expect(matches(label, text) == accepted, "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
        }
        for text in [
            "", " ", "\t", "a", " a ", "\na\t", "a b", "Main <&> 🚀", "\u{301}", " \u{301}", "\u{85}a\u{85}",
            "\u{1C}a", "\u{A0}a\u{3000}", "a\u{2028}b", "\u{2029}a", "a\u{202E}b", "\u{FEFF}a",
            String(repeating: "x", count: 100), String(repeating: "x", count: 101),
            "  " + String(repeating: "x", count: 100) + "\n ", String(repeating: "é", count: 100),
        ] {
            agree(text)
        }
        // Every scalar of the BMP, inside and at either end; and the format characters beyond it.
        var scalars = (0...0xFFFF).compactMap(Unicode.Scalar.init)
        scalars += [0x110BD, 0x110CD, 0x13430, 0x1343F, 0x1BCA0, 0x1D173, 0xE0001, 0xE0020, 0xE007F, 0x1F680, 0x10000]
            .compactMap(Unicode.Scalar.init)
        for scalar in scalars where scalar != "\u{200D}" {
            let character = String(Character(scalar))
            agree("a\(character)b")
            agree("\(character)a")
            agree("a\(character)")
        }
    }

    @Test func theNotePatternsAcceptExactlyWhatTheNoteRuleAccepts() async throws {
        let patterns = try await patterns()
        for text in [
            "", " ", "\n\t", "x", " x ", "\u{1C}", "\u{A0}", "a\nb", String(repeating: "x", count: 1000),
            String(repeating: "x", count: 1001), " " + String(repeating: "x", count: 1000) + "\u{3000}",
        ] {
            // nil: refused; false: blank (no note); true: kept.
            let kept: Bool?
            do { kept = try KeyRules.note(text, field: .reason) != nil } catch { kept = nil }
            #expect(matches(patterns.reason, text) == (kept == true), "\(text.prefix(10))")
            #expect(matches(patterns.message, text) == (kept != nil), "\(text.prefix(10))")
        }
    }
}
