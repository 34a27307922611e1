import Foundation

/// Makes the one-time codes that link a Telegram account to a user, and reads them back as their hashes: the
/// codes themselves are never stored (see `LinkCode` in BearerTokens, which the composition root adapts).
public protocol LinkCodeMaker: Sendable {
    /// A new code and the hash the store keeps for it.
    func generate() -> (code: String, hash: Data)

    /// The hash of a code someone sent (a `/start` payload), or `nil` when it does not have the shape of a code:
    /// such input is refused before any lookup.
    func hash(ofCode text: String) -> Data?
}
