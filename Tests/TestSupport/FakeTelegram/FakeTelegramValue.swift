import Foundation

/// A JSON value as the fake Telegram server saw or produced it.
///
/// Recorded parameters arrive as JSON bodies, forms or query strings; holding them in one JSON-like shape lets a
/// test assert on what the bot sent without caring how it was encoded. Integers stay integers (chat ids exceed
/// 32 bits and must not pass through `Double` rounding).
public enum FakeTelegramValue: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    case null
    case bool(Bool)
    case integer(Int64)
    case double(Double)
    case string(String)
    case array([FakeTelegramValue])
    case object([String: FakeTelegramValue])

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: FakeTelegramValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, FakeTelegramValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }

    /// Parses JSON text; nil when it is not JSON. Top-level scalars are accepted, as Telegram accepts them in forms.
    public static func parse(_ text: String) -> FakeTelegramValue? {
        var parser = FakeTelegramJSONParser(bytes: Array(text.utf8))
        return parser.parseDocument()
    }

    /// A member of an object; nil for other values or a missing key.
    public subscript(key: String) -> FakeTelegramValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// An element of an array; nil for other values or an index out of range.
    public subscript(index: Int) -> FakeTelegramValue? {
        if case .array(let values) = self, values.indices.contains(index) { return values[index] }
        return nil
    }

    /// The string, for `.string` only: a test asking for a string should notice a number sent instead.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The integer, also from a string of digits, because forms and query strings carry every number as text.
    public var int64Value: Int64? {
        switch self {
        case .integer(let value): value
        case .double(let value): value == value.rounded() && abs(value) < 9e15 ? Int64(value) : nil
        case .string(let text): Int64(text.trimmingCharacters(in: .whitespaces))
        default: nil
        }
    }

    /// ``int64Value`` as `Int`, for message ids and offsets.
    public var intValue: Int? { int64Value.map { Int(truncatingIfNeeded: $0) } }

    /// The number as `Double`, also from a numeric string.
    public var doubleValue: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .double(let value): value
        case .string(let text): Double(text)
        default: nil
        }
    }

    /// Telegram's reading of a Boolean parameter: `true`, or the text `true` or `1` (forms carry text).
    public var boolValue: Bool? {
        switch self {
        case .bool(let value): value
        case .integer(let value): value != 0
        case .string(let text): text.lowercased() == "true" || text == "1"
        default: nil
        }
    }

    /// The elements, for `.array` only.
    public var arrayValue: [FakeTelegramValue]? {
        if case .array(let values) = self { return values }
        return nil
    }

    /// The members, for `.object` only.
    public var objectValue: [String: FakeTelegramValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// Compact JSON with object keys sorted, so equal values always print the same.
    public var json: String {
        var output = ""
        write(to: &output)
        return output
    }

    public var description: String { json }

    private func write(to output: inout String) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .integer(let value): output += String(value)
        case .double(let value):
            if value.isFinite, value == value.rounded(), abs(value) < 1e15 {
                output += String(Int64(value))
            } else {
                output += value.isFinite ? "\(value)" : "null"
            }
        case .string(let value): FakeJSONText.writeString(value, to: &output)
        case .array(let values):
            output += "["
            for (index, value) in values.enumerated() {
                if index > 0 { output += "," }
                value.write(to: &output)
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { output += "," }
                FakeJSONText.writeString(key, to: &output)
                output += ":"
                members[key, default: .null].write(to: &output)
            }
            output += "}"
        }
    }
}

/// A small strict JSON reader: Foundation's decoders either lose the integer/double distinction or need a schema.
struct FakeTelegramJSONParser {
    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func parseDocument() -> FakeTelegramValue? {
        skipWhitespace()
        guard let value = parseValue() else { return nil }
        skipWhitespace()
        return index == bytes.count ? value : nil
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    private mutating func parseValue(depth: Int = 0) -> FakeTelegramValue? {
        guard depth < 200, index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "{"): return parseObject(depth: depth)
        case UInt8(ascii: "["): return parseArray(depth: depth)
        case UInt8(ascii: "\""): return parseString().map { .string($0) }
        case UInt8(ascii: "t"): return parseLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return parseLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return parseLiteral("null", .null)
        default: return parseNumber()
        }
    }

    private mutating func parseLiteral(_ word: String, _ value: FakeTelegramValue) -> FakeTelegramValue? {
        let wordBytes = Array(word.utf8)
        guard index + wordBytes.count <= bytes.count, Array(bytes[index..<index + wordBytes.count]) == wordBytes
        else { return nil }
        index += wordBytes.count
        return value
    }

    private mutating func parseObject(depth: Int) -> FakeTelegramValue? {
        index += 1
        var members: [String: FakeTelegramValue] = [:]
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let key = parseString() else { return nil }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            skipWhitespace()
            guard let value = parseValue(depth: depth + 1) else { return nil }
            members[key] = value
            skipWhitespace()
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else { return nil }
            index += 1
            return .object(members)
        }
    }

    private mutating func parseArray(depth: Int) -> FakeTelegramValue? {
        index += 1
        var values: [FakeTelegramValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(values)
        }
        while true {
            skipWhitespace()
            guard let value = parseValue(depth: depth + 1) else { return nil }
            values.append(value)
            skipWhitespace()
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "]") else { return nil }
            index += 1
            return .array(values)
        }
    }

    private mutating func parseString() -> String? {
        index += 1
        var scalars = String.UnicodeScalarView()
        var pendingHighSurrogate: UInt32?
        var raw: [UInt8] = []
        func flushRaw() {
            if !raw.isEmpty {
                scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
                raw.removeAll()
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                flushRaw()
                return pendingHighSurrogate == nil ? String(scalars) : nil
            }
            if byte < 0x20 { return nil }
            if byte != UInt8(ascii: "\\") {
                guard pendingHighSurrogate == nil else { return nil }
                raw.append(byte)
                index += 1
                continue
            }
            flushRaw()
            index += 1
            guard index < bytes.count else { return nil }
            let escape = bytes[index]
            index += 1
            if escape == UInt8(ascii: "u") {
                guard index + 4 <= bytes.count,
                    let code = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
                else { return nil }
                index += 4
                if let high = pendingHighSurrogate {
                    guard (0xDC00...0xDFFF).contains(code),
                        let scalar = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00))
                    else { return nil }
                    scalars.append(scalar)
                    pendingHighSurrogate = nil
                } else if (0xD800...0xDBFF).contains(code) {
                    pendingHighSurrogate = code
                } else if let scalar = Unicode.Scalar(code) {
                    scalars.append(scalar)
                } else {
                    return nil
                }
                continue
            }
            guard pendingHighSurrogate == nil else { return nil }
            switch escape {
            case UInt8(ascii: "\""): scalars.append("\"")
            case UInt8(ascii: "\\"): scalars.append("\\")
            case UInt8(ascii: "/"): scalars.append("/")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            default: return nil
            }
        }
        return nil
    }

    private mutating func parseNumber() -> FakeTelegramValue? {
        let start = index
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let digitsStart = index
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        guard index > digitsStart else { return nil }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            let fractionStart = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard index > fractionStart else { return nil }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            let exponentStart = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard index > exponentStart else { return nil }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger, let value = Int64(text) { return .integer(value) }
        return Double(text).map { .double($0) }
    }
}
