import Foundation

/// CLDR plural categories, chosen for a count by a language's rules.
///
/// A text that depends on a number is a group of keys, one per category the language uses (`keys.one`,
/// `keys.few`, `keys.many`, `keys.other` in Russian; `keys.one`, `keys.other` in English), and the ``Localizer``
/// picks the form by the `{count}` argument. Only the languages the bot ships have rules; any other language uses
/// `other` alone.
public enum PluralCategory: String, CaseIterable, Sendable {
    case zero, one, two, few, many, other

    /// The categories a language's plural groups must hold, in CLDR's order.
    public static func required(in language: String) -> [PluralCategory] {
        switch language {
        case "ru": [.one, .few, .many, .other]
        case "en": [.one, .other]
        default: [.other]
        }
    }

    /// The category of `count` (a decimal number as written, such as `21` or `1.5`) in `language`; text that is not a
    /// number is `other`.
    public init(count: String, language: String) {
        let trimmed = count.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.hasPrefix("-") ? String(trimmed.dropFirst()) : trimmed
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let integer = parts.first, !integer.isEmpty, integer.allSatisfy(\.isASCIIDigit),
            parts.count == 1 || parts[1].allSatisfy(\.isASCIIDigit)
        else {
            self = .other
            return
        }
        // CLDR's operands: `i`, the integer digits (only the last two matter here), and whether there are visible
        // fraction digits (`v > 0`: "1.0" is not "1").
        let hasFraction = parts.count == 2
        let lastTwo = Int(integer.suffix(2)) ?? 0
        switch language {
        case "ru":
            guard !hasFraction else {
                self = .other
                return
            }
            let lastOne = lastTwo % 10
            if lastOne == 1, lastTwo != 11 {
                self = .one
            } else if (2...4).contains(lastOne), !(12...14).contains(lastTwo) {
                self = .few
            } else {
                self = .many
            }
        case "en":
            let isOne = !hasFraction && integer.drop { $0 == "0" } == "1"
            self = isOne ? .one : .other
        default:
            self = .other
        }
    }

    /// The category a key names by its last component (`keys.few` → `.few`), if it names one.
    public init?(suffixOf key: String) {
        guard let dot = key.lastIndex(of: "."),
            let category = PluralCategory(rawValue: String(key[key.index(after: dot)...]))
        else { return nil }
        self = category
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
