/// Why a Fernet key or token was refused.
///
/// The cases say what was wrong with the input, never what it contained: callers may log them.
public enum FernetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The key is not 32 bytes of URL-safe base64 with padding (44 characters).
    case malformedKey
    /// The token is not well-formed: bad base64, wrong version byte, too short, or a ciphertext whose length is not
    /// a positive multiple of the AES block size.
    case malformedToken
    /// The HMAC does not match: the token was made with another key, or it was altered.
    case invalidSignature
    /// The padding of the decrypted plaintext is wrong (only possible once the HMAC has matched).
    case invalidPadding
    /// The token is older than the time-to-live the caller allows.
    case expired
    /// The token's timestamp lies more than the allowed clock skew in the future.
    case fromTheFuture
    /// A `MultiFernet` needs at least one key.
    case noKeys

    public var description: String {
        switch self {
        case .malformedKey: "Fernet key must be 32 url-safe base64-encoded bytes"
        case .malformedToken: "malformed Fernet token"
        case .invalidSignature: "Fernet token signature does not match any key"
        case .invalidPadding: "Fernet token has invalid padding"
        case .expired: "Fernet token has expired"
        case .fromTheFuture: "Fernet token timestamp is too far in the future"
        case .noKeys: "at least one Fernet key is required"
        }
    }
}
