import Foundation

/// The `pattern`s of the OpenAPI document that state the input rules of `KeyRules` exactly where a regular
/// expression can: values are trimmed of white space first (Foundation's `whitespacesAndNewlines`), so a
/// pattern allows any white space around the text it bounds, and bounds the trimmed length itself (`maxLength`
/// would count the untrimmed text).
///
/// Character classes are written from the Unicode properties of the running Swift runtime, so the document
/// follows the same Unicode version as the rules. Escapes are `\uXXXX` (read alike by ECMA-262 and Python's `re`,
/// which Schemathesis uses); characters beyond the BMP are written as themselves.
enum SchemaPatterns {
    /// What trimming removes.
    static let trimmed = scalars { CharacterSet.whitespacesAndNewlines.contains($0) }
    /// What a label may not hold once trimmed: control, line and paragraph separators, format characters (the
    /// rule allows a zero-width joiner inside an emoji sequence; the pattern, which cannot see grapheme
    /// clusters, does not).
    static let labelForbidden = scalars { scalar in
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator, .format: true
        default: false
        }
    }

    /// A label: 1–100 characters once trimmed, none of them ``labelForbidden``.
    static var label: String {
        let space = set(trimmed)
        let edge = set(trimmed + labelForbidden)
        let inner = set(labelForbidden)
        return "^[\(space)]*[^\(edge)](?:[^\(inner)]{0,98}[^\(edge)])?[\(space)]*$"
    }

    /// A required text (a rejection reason): 1–1,000 characters once trimmed.
    static var requiredNote: String {
        let space = set(trimmed)
        return "^[\(space)]*[^\(space)](?:[\\s\\S]{0,998}[^\(space)])?[\(space)]*$"
    }

    /// An optional text (an approval message): empty or blank means none; at most 1,000 characters once trimmed.
    static var optionalNote: String {
        let space = set(trimmed)
        return "^[\(space)]*(?:[^\(space)](?:[\\s\\S]{0,998}[^\(space)])?)?[\(space)]*$"
    }

    /// Text with something other than white space in it (a passphrase where one is needed).
    static var nonBlank: String { "[^\(set(trimmed))]" }

    /// Text that is empty once trimmed (a passphrase where none belongs may be sent blank).
    static var blank: String { "^[\(set(trimmed))]*$" }

    // MARK: - Building classes

    private static func scalars(_ predicate: (Unicode.Scalar) -> Bool) -> [ClosedRange<UInt32>] {
        var ranges: [ClosedRange<UInt32>] = []
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value), predicate(scalar) else { continue }
            if let last = ranges.last, last.upperBound + 1 == value {
                ranges[ranges.count - 1] = last.lowerBound...value
            } else {
                ranges.append(value...value)
            }
        }
        return ranges
    }

    /// The inside of a character class (without brackets) for these ranges.
    private static func set(_ ranges: [ClosedRange<UInt32>]) -> String {
        ranges.sorted { $0.lowerBound < $1.lowerBound }.map { range in
            range.lowerBound == range.upperBound
                ? escape(range.lowerBound) : "\(escape(range.lowerBound))-\(escape(range.upperBound))"
        }.joined()
    }

    private static func escape(_ value: UInt32) -> String {
        guard value > 0xFFFF else {
            let hex = String(value, radix: 16, uppercase: true)
            return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }
        return Unicode.Scalar(value).map { String(Character($0)) } ?? ""
    }
}
