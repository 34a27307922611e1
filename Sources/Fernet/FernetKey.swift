import Crypto
import Foundation

/// A Fernet key: 16 bytes of HMAC-SHA256 signing key followed by 16 bytes of AES-128 encryption key.
///
/// Its text form is the 44-character URL-safe base64 with padding that Python `cryptography` uses, so the same
/// `BRAIN_CAPITAL_MASTER_KEY` works on both sides. The key never prints itself.
public struct FernetKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    let signingKey: SymmetricKey
    let encryptionKey: SymmetricKey
    /// HMAC-SHA256 already keyed with `signingKey`: each token skips re-hashing the key pads.
    let mac: FernetMAC
    /// A short, non-secret identifier of the key (first 8 hex digits of SHA-256 of the raw key), for logs and
    /// rotation reports.
    public let fingerprint: String

    /// Parses the base64 text form.
    public init(base64 text: some StringProtocol) throws(FernetError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.utf8.count == 44, let raw = Base64URL.decode(trimmed), raw.count == 32 else {
            throw .malformedKey
        }
        self.init(rawBytes: raw)
    }

    /// Makes a key from its 32 raw bytes.
    public init(rawBytes raw: some Collection<UInt8>) {
        precondition(raw.count == 32, "a Fernet key has 32 bytes")
        let bytes = Array(raw)
        signingKey = SymmetricKey(data: bytes[0..<16])
        encryptionKey = SymmetricKey(data: bytes[16..<32])
        mac = FernetMAC(key: Array(bytes[0..<16]))
        fingerprint = SHA256.hash(data: bytes).prefix(4).map { String(format: "%02x", $0) }.joined()
    }

    /// A new random key from the system's secure random number generator.
    public static func generate() -> FernetKey {
        FernetKey(rawBytes: SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })
    }

    /// The 44-character text form. Handle with care: this is the secret.
    public var base64: String {
        var raw = signingKey.withUnsafeBytes { Array($0) }
        raw += encryptionKey.withUnsafeBytes { Array($0) }
        return Base64URL.encode(raw)
    }

    public var description: String { "FernetKey(\(fingerprint))" }
    public var debugDescription: String { description }
}
