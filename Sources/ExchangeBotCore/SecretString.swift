/// A secret (API secret, passphrase) that does not print itself.
///
/// String interpolation, `print`, `dump`, log metadata and error descriptions all show `<redacted>`; only
/// ``exposedValue`` gives the text, so every place that handles the real value is easy to find.
public struct SecretString: Sendable, Equatable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    public let exposedValue: String

    public init(_ value: String) {
        exposedValue = value
    }

    public var isEmpty: Bool { exposedValue.isEmpty }
    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: []) }
}
