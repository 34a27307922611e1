/// A missing or malformed environment variable. The message names the variable and what is wrong with it; it
/// never repeats the value of a secret one.
public struct ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    public let variable: String
    public let problem: String

    public init(_ variable: String, _ problem: String) {
        self.variable = variable
        self.problem = problem
    }

    public var description: String { "\(variable): \(problem)" }
}
