import Foundation
import Localization
import Testing

/// Plural forms: CLDR's rules for the shipped languages, every plural group complete in every locale, the same
/// placeholders in every form of a text, and the localizer choosing forms by `{count}`.
@Suite struct PluralTextsTests {
    static func locale(_ name: String) throws -> [String: String] {
        try JSONDecoder().decode(
            [String: String].self,
            from: Data(contentsOf: TextsTests.root.appendingPathComponent("locales/\(name).json"))
        )
    }

    /// Plural groups by name, each with the categories its keys name. A group is known by its `one` form, which
    /// both languages need: a key such as `input.other` ("any other problem") is a text of its own.
    static func groups(_ table: [String: String]) -> [String: Set<PluralCategory>] {
        var groups = [String: Set<PluralCategory>]()
        for key in table.keys {
            guard let category = PluralCategory(suffixOf: key), let dot = key.lastIndex(of: ".") else { continue }
            groups[String(key[..<dot]), default: []].insert(category)
        }
        return groups.filter { $0.value.contains(.one) }
    }

    /// The placeholder names of a template; `{moved:link.moved_keys}` names `moved`.
    static func placeholders(_ template: String) -> Set<String> {
        Set(template.matches(of: /\{([a-z_]+)(?::[a-z_.]+)?\}/).map { String($0.output.1) })
    }

    @Test(arguments: [
        (1, "one"), (21, "one"), (101, "one"), (2, "few"), (4, "few"), (22, "few"), (34, "few"), (5, "many"),
        (11, "many"), (12, "many"), (14, "many"), (19, "many"), (20, "many"), (25, "many"), (111, "many"),
        (112, "many"), (0, "many"), (1_000_000, "many"),
    ])
    func russianIntegersFollowCLDR(count: Int, expected: String) {
        #expect(PluralCategory(count: String(count), language: "ru").rawValue == expected)
    }

    @Test func fractionsAndEnglishAndOtherLanguages() {
        #expect(PluralCategory(count: "1.5", language: "ru") == .other)
        #expect(PluralCategory(count: "2.0", language: "ru") == .other)
        #expect(PluralCategory(count: "1", language: "en") == .one)
        #expect(PluralCategory(count: "1.0", language: "en") == .other)
        #expect(PluralCategory(count: "21", language: "en") == .other)
        #expect(PluralCategory(count: "0", language: "en") == .other)
        #expect(PluralCategory(count: "3", language: "de") == .other)
        #expect(PluralCategory(count: "many", language: "ru") == .other)
        #expect(PluralCategory(count: "-1", language: "ru") == .one)
    }

    @Test func theLocalizerPicksTheFormByCount() {
        let localizer = Localizer(tables: [
            "en": ["keys.one": "{count} key", "keys.other": "{count} keys", "sum": "{a:keys} and {b:keys}"],
            "ru": [
                "keys.one": "{count} ключ", "keys.few": "{count} ключа", "keys.many": "{count} ключей",
                "keys.other": "{count} ключа", "sum": "{a:keys} и {b:keys}",
            ],
        ])
        #expect(localizer.text("keys", ["count": "1"], language: "en") == "1 key")
        #expect(localizer.text("keys", ["count": "5"], language: "en") == "5 keys")
        #expect(
            ["1", "3", "5", "11", "21", "1.5"].map { localizer.text("keys", ["count": $0], language: "ru") } == [
                "1 ключ", "3 ключа", "5 ключей", "11 ключей", "21 ключ", "1.5 ключа",
            ]
        )
        // Two counts in one text: each names its group.
        #expect(localizer.text("sum", ["a": "2", "b": "5"], language: "ru") == "2 ключа и 5 ключей")
        #expect(localizer.plainText("sum", ["a": "1", "b": "2"], language: "en") == "1 key and 2 keys")
        // A language without the group falls back to English, which has it.
        #expect(localizer.text("keys", ["count": "2"], language: "de") == "2 keys")
    }

    /// Every plural group has all the forms its language needs (one, few, many, other in Russian; one, other in
    /// English), both locales have the same groups, and every form of a text has the same placeholders.
    @Test func everyPluralGroupIsCompleteInEveryLocale() throws {
        let english = try Self.locale("en")
        let russian = try Self.locale("ru")
        let groups = ["en": Self.groups(english), "ru": Self.groups(russian)]
        #expect(groups["en"]!.count >= 5, "the digest, the link texts and the service alerts use plurals")
        #expect(Set(groups["en"]!.keys) == Set(groups["ru"]!.keys))
        for (language, table) in [("en", english), ("ru", russian)] {
            for (group, forms) in groups[language]! {
                let required = Set(PluralCategory.required(in: language))
                #expect(forms == required, "\(language): \(group) has \(forms.map(\.rawValue).sorted())")
                #expect(table[group] == nil, "\(language): \(group) is both a text and a plural group")
                let placeholders = Set(
                    (groups["en"]![group]!.map { english["\(group).\($0.rawValue)"]! }
                        + forms.map { table["\(group).\($0.rawValue)"]! }).map(Self.placeholders)
                )
                #expect(placeholders.count == 1, "\(group): forms differ in placeholders: \(placeholders)")
            }
        }
    }

    /// Plain texts keep the same placeholders in both languages, and every `{name:group}` names a plural group.
    @Test func placeholdersMatchAcrossLanguagesAndReferencesResolve() throws {
        let english = try Self.locale("en")
        let russian = try Self.locale("ru")
        let groups = Self.groups(english)
        for (key, template) in english where !groups.keys.contains { key.hasPrefix($0 + ".") } {
            guard let translated = russian[key] else { continue }
            #expect(Self.placeholders(template) == Self.placeholders(translated), "\(key)")
        }
        for table in [english, russian] {
            for template in table.values {
                for match in template.matches(of: /\{[a-z_]+:([a-z_.]+)\}/) {
                    #expect(groups[String(match.output.1)] != nil, "\(match.output.1) is not a plural group")
                }
            }
        }
    }

    /// The shipped texts that count things read right for each number.
    @Test func theShippedTextsAgreeWithTheirNumbers() {
        let localizer = TextsTests.localizer
        #expect(
            localizer.text("link.keys_moved", ["moved": "2", "dropped": "1"], language: "ru").hasSuffix(
                "перенесены 2 ключа, 1 удалён как дубликат уже имеющегося."
            )
        )
        #expect(
            localizer.text("link.keys_moved", ["moved": "5", "dropped": "0"], language: "en").hasSuffix(
                "5 keys moved, 0 dropped as duplicates of keys it already has."
            )
        )
        #expect(
            localizer.text("admin.service_alert_unknown_exchange", ["count": "21"], language: "ru").contains(
                "21 одобренный ключ указывает"
            )
        )
        #expect(localizer.text("admin.digest_title", ["count": "1"], language: "en").contains("1 request waits"))
        #expect(localizer.text("admin.digest_more", ["count": "12"], language: "ru").contains("Ещё 12 заявок"))
    }
}
