import Foundation

/// Where the SQLite database lives, parsed from `DATABASE_URL` in SQLAlchemy's form.
///
/// `sqlite:///relative/path` is relative to the working directory (as SQLAlchemy reads it),
/// `sqlite:////absolute/path` is absolute, and `sqlite://` or `sqlite:///:memory:` is an in-memory database.
public enum DatabaseLocation: Sendable, Equatable {
    case file(path: String)
    case inMemory

    public static let defaultURL = "sqlite:///data/exchange-bot.sqlite"

    public struct InvalidURL: Error, CustomStringConvertible {
        public let description: String
    }

    public init(url text: String, workingDirectory: String = FileManager.default.currentDirectoryPath)
        throws(InvalidURL)
    {
        let url = text.trimmingCharacters(in: .whitespaces)
        let prefix = "sqlite://"
        guard url.hasPrefix(prefix) else {
            throw InvalidURL(description: "DATABASE_URL must start with sqlite:// (for example \(Self.defaultURL))")
        }
        var rest = String(url.dropFirst(prefix.count))
        if let query = rest.firstIndex(of: "?") { rest = String(rest[..<query]) }
        if rest.isEmpty || rest == "/:memory:" {
            self = .inMemory
            return
        }
        guard rest.hasPrefix("/") else {
            throw InvalidURL(description: "DATABASE_URL must be sqlite:///relative/path or sqlite:////absolute/path")
        }
        let path = String(rest.dropFirst())
        guard !path.isEmpty, let decoded = path.removingPercentEncoding else {
            throw InvalidURL(description: "DATABASE_URL has no file path")
        }
        if decoded.hasPrefix("/") {
            self = .file(path: decoded)
        } else {
            self = .file(path: URL(fileURLWithPath: workingDirectory).appendingPathComponent(decoded).path)
        }
    }
}
