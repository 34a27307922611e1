import Crypto
import Foundation
import _CryptoExtras

/// Fernet symmetric encryption, byte-compatible with Python `cryptography.fernet.Fernet`.
///
/// Written here because no Fernet package for Linux exists; it builds on swift-crypto's HMAC and AES-CBC.
/// Token layout: `0x80 ‖ u64 big-endian seconds ‖ 16-byte IV ‖ AES-128-CBC(PKCS7) ciphertext ‖ HMAC-SHA256`, the
/// whole in URL-safe base64 with padding. Decryption checks the version, the length and the HMAC (in constant
/// time) before it decrypts anything.
public struct Fernet: Sendable {
    /// How far in the future a token's timestamp may lie when a TTL is checked (Python's `_MAX_CLOCK_SKEW`).
    public static let maxClockSkew: Int64 = 60

    static let version: UInt8 = 0x80
    static let headerCount = 1 + 8 + 16
    static let macCount = 32
    static let blockCount = 16

    public let key: FernetKey

    public init(key: FernetKey) {
        self.key = key
    }

    // MARK: - Encryption

    /// Encrypts `plaintext` with a fresh random IV, stamped with `date` (default: now).
    public func encrypt(_ plaintext: some DataProtocol, at date: Date = Date()) -> String {
        seal(plaintext, timestamp: Self.seconds(date), iv: Self.randomIV())
    }

    /// Encrypts a UTF-8 string.
    public func encrypt(_ plaintext: String, at date: Date = Date()) -> String {
        encrypt(Data(plaintext.utf8), at: date)
    }

    /// Encrypts with a given timestamp and IV. Only known-answer tests and rotation should choose the IV.
    public func encrypt(_ plaintext: some DataProtocol, timestamp: Int64, iv ivBytes: [UInt8]) throws(FernetError)
        -> String
    {
        guard ivBytes.count == Self.blockCount else { throw .malformedToken }
        return seal(plaintext, timestamp: timestamp, iv: ivBytes)
    }

    func seal(_ plaintext: some DataProtocol, timestamp: Int64, iv: [UInt8]) -> String {
        // AES-CBC with a 128-bit key and a 16-byte IV cannot fail.
        let ciphertext = try! AES._CBC.encrypt(plaintext, using: key.encryptionKey, iv: AES._CBC.IV(ivBytes: iv))
        var token = [UInt8]()
        token.reserveCapacity(Self.headerCount + ciphertext.count + Self.macCount)
        token.append(Self.version)
        withUnsafeBytes(of: UInt64(bitPattern: timestamp).bigEndian) { token.append(contentsOf: $0) }
        token.append(contentsOf: iv)
        token.append(contentsOf: ciphertext)
        let mac = authenticationCode(token[...])
        token.append(contentsOf: mac)
        return Base64URL.encode(token)
    }

    // MARK: - Decryption

    /// Decrypts a token.
    ///
    /// - Parameters:
    ///   - token: the token's text.
    ///   - ttl: the maximum age in seconds; `nil` checks no time at all, as Python does.
    ///   - now: the time to check the TTL against.
    public func decrypt(_ token: some StringProtocol, ttl: Int64? = nil, now: Date = Date()) throws(FernetError)
        -> Data
    {
        let parsed = try ParsedToken(token)
        if let ttl {
            try parsed.checkTime(ttl: ttl, now: Self.seconds(now))
        }
        return try open(parsed)
    }

    /// Decrypts a token that holds UTF-8 text.
    public func decryptString(_ token: some StringProtocol, ttl: Int64? = nil, now: Date = Date())
        throws(FernetError) -> String
    {
        let data = try decrypt(token, ttl: ttl, now: now)
        guard let text = String(data: data, encoding: .utf8) else { throw .malformedToken }
        return text
    }

    /// The token's timestamp, once its HMAC has been verified (like Python's `extract_timestamp`).
    public func extractTimestamp(_ token: some StringProtocol) throws(FernetError) -> Int64 {
        let parsed = try ParsedToken(token)
        try verify(parsed)
        return parsed.timestamp
    }

    /// HMAC-SHA256 under the signing key, from a copy of the pre-keyed state.
    func authenticationCode(_ bytes: ArraySlice<UInt8>) -> HashedAuthenticationCode<SHA256> {
        var mac = key.keyedMAC
        mac.update(data: bytes)
        return mac.finalize()
    }

    func verify(_ parsed: ParsedToken) throws(FernetError) {
        let raw = parsed.raw
        let expected = authenticationCode(raw[0..<(raw.count - Self.macCount)])
        // `==` between a MAC and bytes is swift-crypto's constant-time comparison.
        guard expected == raw[(raw.count - Self.macCount)...] else { throw .invalidSignature }
    }

    func open(_ parsed: ParsedToken) throws(FernetError) -> Data {
        try verify(parsed)
        let raw = parsed.raw
        guard let iv = try? AES._CBC.IV(ivBytes: raw[9..<25]),
            let padded = try? AES._CBC.decrypt(
                raw[Self.headerCount..<(raw.count - Self.macCount)],
                using: key.encryptionKey,
                iv: iv,
                noPadding: true
            )
        else { throw .malformedToken }
        // PKCS7, checked here rather than by swift-crypto's constant-time routine: the HMAC already proved the
        // ciphertext is ours, so its padding reveals nothing to an attacker.
        guard let count = padded.last.map(Int.init), (1...Self.blockCount).contains(count),
            padded.suffix(count).allSatisfy({ Int($0) == count })
        else { throw .invalidPadding }
        return padded.prefix(padded.count - count)
    }

    /// 16 fresh bytes of kernel randomness.
    static func randomIV() -> [UInt8] {
        RandomIVSource.next()
    }

    static func seconds(_ date: Date) -> Int64 {
        Int64(date.timeIntervalSince1970.rounded(.down))
    }
}

/// A token split into its parts, checked for form but not yet for its HMAC.
struct ParsedToken {
    let raw: [UInt8]
    let timestamp: Int64

    init(_ token: some StringProtocol) throws(FernetError) {
        guard let raw = Base64URL.decode(token) else { throw .malformedToken }
        let ciphertextCount = raw.count - Fernet.headerCount - Fernet.macCount
        guard raw.first == Fernet.version, ciphertextCount > 0, ciphertextCount % Fernet.blockCount == 0 else {
            throw .malformedToken
        }
        self.raw = raw
        timestamp = raw.withUnsafeBytes {
            Int64(bitPattern: UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: 1, as: UInt64.self)))
        }
    }

    /// Compares in 128 bits: the timestamp is checked before the HMAC, so it is any value a forger chose, and
    /// `timestamp + ttl` in 64 bits would trap on it.
    func checkTime(ttl: Int64, now: Int64) throws(FernetError) {
        if Int128(timestamp) + Int128(ttl) < Int128(now) { throw .expired }
        if Int128(now) + Int128(Fernet.maxClockSkew) < Int128(timestamp) { throw .fromTheFuture }
    }
}
