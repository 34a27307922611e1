/// A JSON value written in the exchange's own key order, so fake answers read like the documented examples.
///
/// The fakes build their answers by hand rather than through `JSONEncoder`: key order stays as documented, the
/// output is deterministic across platforms, and building a string costs next to nothing under load.
enum FakeJSON: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    case string(String)
    case integer(Int64)
    case number(Double)
    case bool(Bool)
    case null
    case array([FakeJSON])
    case object([(String, FakeJSON)])

    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int64) { self = .integer(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(arrayLiteral elements: FakeJSON...) { self = .array(elements) }
    init(dictionaryLiteral elements: (String, FakeJSON)...) { self = .object(elements) }

    /// A string array, as in permission lists.
    static func strings(_ values: [String]) -> FakeJSON { .array(values.map { .string($0) }) }

    /// The compact JSON text.
    var text: String {
        var output = ""
        write(to: &output)
        return output
    }

    private func write(to output: inout String) {
        switch self {
        case .string(let value): FakeJSONText.writeString(value, to: &output)
        case .integer(let value): output += String(value)
        case .number(let value): output += value.isFinite ? "\(value)" : "null"
        case .bool(let value): output += value ? "true" : "false"
        case .null: output += "null"
        case .array(let values):
            output += "["
            for (index, value) in values.enumerated() {
                if index > 0 { output += "," }
                value.write(to: &output)
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { output += "," }
                FakeJSONText.writeString(key, to: &output)
                output += ":"
                value.write(to: &output)
            }
            output += "}"
        }
    }
}
