import Foundation

/// Which branch of the verification recipe a fake took, so tests can assert why a request failed without parsing
/// each exchange's error body.
public enum FakeOutcome: String, Sendable, Equatable {
    /// A signed request passed every check and got the permission answer.
    case accepted
    /// A public server-time request.
    case serverTime
    /// A required auth header or parameter was missing or malformed.
    case missingCredentials
    case unknownKey
    case wrongPassphrase
    case ipRefused
    /// The timestamp (Coinbase: the JWT's `nbf`/`exp`) fell outside the exchange's window.
    case staleTimestamp
    /// Kraken: the nonce was not above the key's last nonce.
    case reusedNonce
    case badSignature
    /// The path or method is not one the fake serves.
    case notFound
    /// Answered by a ``FakeBehaviour`` other than `.normal` without looking at the request.
    case down
    case garbage
    case htmlErrorPage
    case rateLimited
}

/// One request as the fake received it, with the answer it chose.
public struct FakeRequestRecord: Sendable {
    public var method: String
    /// The raw path, not percent-decoded.
    public var path: String
    /// The raw query string without the `?`, or nil when the target had no `?`.
    public var query: String?
    /// Header values by lowercased name (repeated headers joined with ", ").
    public var headers: [String: String]
    public var body: Data
    /// The HTTP status answered.
    public var status: Int
    public var outcome: FakeOutcome
    /// The exchange's own error code or label in the answer (`-1022`, `10004`, `INVALID_SIGNATURE`,
    /// `EAPI:Invalid nonce`…), nil on success.
    public var code: String?

    /// A header by name, in any case.
    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}
