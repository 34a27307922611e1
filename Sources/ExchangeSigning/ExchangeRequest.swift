import Foundation

/// An HTTP request to an exchange, as its signer sees it: everything that is signed, byte for byte.
///
/// `query` and `body` are the exact strings that go on the wire (already percent-encoded, in order), because every
/// exchange signs the raw bytes; re-encoding them after signing breaks the signature.
public struct ExchangeRequest: Sendable, Equatable {
    public var method: String
    /// The path from the origin, starting with `/` (e.g. `/api/v3/account`), without the query.
    public var path: String
    /// The query string without the leading `?`; empty for none.
    public var query: String
    public var body: String
    /// Headers in the order they were added.
    public var headers: [(name: String, value: String)]

    public init(method: String, path: String, query: String = "", body: String = "", headers: [(String, String)] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.body = body
        self.headers = headers.map { (name: $0.0, value: $0.1) }
    }

    /// `path?query`, or just `path` without a query.
    public var pathAndQuery: String { query.isEmpty ? path : "\(path)?\(query)" }

    /// The first header with this name, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    public mutating func setHeader(_ name: String, _ value: String) {
        headers.removeAll { $0.name.caseInsensitiveCompare(name) == .orderedSame }
        headers.append((name: name, value: value))
    }

    public static func == (lhs: ExchangeRequest, rhs: ExchangeRequest) -> Bool {
        lhs.method == rhs.method && lhs.path == rhs.path && lhs.query == rhs.query && lhs.body == rhs.body
            && lhs.headers.map(\.name) == rhs.headers.map(\.name)
            && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }
}
