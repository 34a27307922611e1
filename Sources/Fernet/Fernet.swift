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
        let padCount = Self.blockCount - plaintext.count % Self.blockCount
        var padded = [UInt8]()
        padded.reserveCapacity(plaintext.count + padCount)
        padded.append(contentsOf: plaintext)
        padded.append(contentsOf: repeatElement(UInt8(padCount), count: padCount))
        return padded.withUnsafeBytes { sealPadded($0, timestamp: timestamp, iv: iv) }
    }

    /// Seals a plaintext that already carries its PKCS7 padding: rotation re-seals the padded blocks it opened
    /// (one plaintext always has the same padding) without unpadding and padding again.
    func sealPadded(_ padded: UnsafeRawBufferPointer, timestamp: Int64, iv: [UInt8]) -> String {
        // AES-CBC with a 128-bit key, a 16-byte IV and whole blocks cannot fail.
        let ciphertext = try! AES._CBC.encrypt(
            padded,
            using: key.encryptionKey,
            iv: AES._CBC.IV(ivBytes: iv),
            noPadding: true
        )
        let count = Self.headerCount + ciphertext.count + Self.macCount
        return withUnsafeTemporaryAllocation(byteCount: count, alignment: 8) { token in
            token[0] = Self.version
            token.storeBytes(of: UInt64(bitPattern: timestamp).bigEndian, toByteOffset: 1, as: UInt64.self)
            iv.withUnsafeBytes { token.baseAddress!.advanced(by: 9).copyMemory(from: $0.baseAddress!, byteCount: 16) }
            ciphertext.withUnsafeBytes { bytes in
                token.baseAddress!.advanced(by: Self.headerCount)
                    .copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            }
            let signed = count - Self.macCount
            key.mac.authenticate(
                UnsafeRawBufferPointer(rebasing: token[0..<signed]),
                into: UnsafeMutableRawBufferPointer(rebasing: token[signed...])
            )
            return Base64URL.encode(UnsafeRawBufferPointer(token))
        }
    }

    // MARK: - Decryption

    /// Decrypts a token.
    ///
    /// - Parameters:
    ///   - token: the token's text.
    ///   - ttl: the maximum age in seconds; `nil` checks no time at all, as Python does.
    ///   - now: the time to check the TTL against.
    public func decrypt(_ token: String, ttl: Int64? = nil, now: Date = Date()) throws(FernetError) -> Data {
        let parsed = try ParsedToken(token)
        if let ttl {
            try parsed.checkTime(ttl: ttl, now: Self.seconds(now))
        }
        return try open(parsed)
    }

    /// ``decrypt(_:ttl:now:)`` for any string type (the `String` overload does the work, unspecialised code
    /// never runs per token).
    @inlinable
    public func decrypt(_ token: some StringProtocol, ttl: Int64? = nil, now: Date = Date()) throws(FernetError)
        -> Data
    {
        try decrypt(String(token), ttl: ttl, now: now)
    }

    /// Decrypts a token that holds UTF-8 text.
    public func decryptString(_ token: some StringProtocol, ttl: Int64? = nil, now: Date = Date())
        throws(FernetError) -> String
    {
        let data = try decrypt(String(token), ttl: ttl, now: now)
        guard let text = String(data: data, encoding: .utf8) else { throw .malformedToken }
        return text
    }

    /// The token's timestamp, once its HMAC has been verified (like Python's `extract_timestamp`).
    public func extractTimestamp(_ token: some StringProtocol) throws(FernetError) -> Int64 {
        let parsed = try ParsedToken(String(token))
        guard parsed.isSigned(by: key) else { throw .invalidSignature }
        return parsed.timestamp
    }

    /// The plaintext with its PKCS7 padding still on, once the HMAC and the padding are verified.
    func openPadded(_ parsed: ParsedToken) throws(FernetError) -> Data {
        guard parsed.isSigned(by: key) else { throw .invalidSignature }
        let padded = parsed.raw.withUnsafeBytes { raw -> Data? in
            let ciphertext = UnsafeRawBufferPointer(rebasing: raw[Self.headerCount..<(raw.count - Self.macCount)])
            guard let iv = try? AES._CBC.IV(ivBytes: UnsafeRawBufferPointer(rebasing: raw[9..<25])) else {
                return nil
            }
            return try? AES._CBC.decrypt(ciphertext, using: key.encryptionKey, iv: iv, noPadding: true)
        }
        guard let padded else { throw .malformedToken }
        _ = try Self.paddingCount(padded)
        return padded
    }

    func open(_ parsed: ParsedToken) throws(FernetError) -> Data {
        let padded = try openPadded(parsed)
        return padded.prefix(padded.count - (try Self.paddingCount(padded)))
    }

    /// The length of the PKCS7 padding, checked here rather than by swift-crypto's constant-time routine: the HMAC
    /// already proved the ciphertext is ours, so its padding reveals nothing to an attacker.
    static func paddingCount(_ padded: Data) throws(FernetError) -> Int {
        let count = padded.withUnsafeBytes { bytes -> Int? in
            guard let last = bytes.last, (1...blockCount).contains(Int(last)), bytes.count >= Int(last) else {
                return nil
            }
            for index in (bytes.count - Int(last))..<bytes.count where bytes[index] != last { return nil }
            return Int(last)
        }
        guard let count else { throw .invalidPadding }
        return count
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

    init(_ token: String) throws(FernetError) {
        var token = token
        guard let raw = token.withUTF8({ Base64URL.decode($0) }) else { throw .malformedToken }
        let ciphertextCount = raw.count - Fernet.headerCount - Fernet.macCount
        guard raw.first == Fernet.version, ciphertextCount > 0, ciphertextCount % Fernet.blockCount == 0 else {
            throw .malformedToken
        }
        self.raw = raw
        timestamp = raw.withUnsafeBytes {
            Int64(bitPattern: UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: 1, as: UInt64.self)))
        }
    }

    /// Whether the token's HMAC is the one `key` makes (compared in constant time).
    func isSigned(by key: FernetKey) -> Bool {
        raw.withUnsafeBytes { raw in
            let signed = raw.count - Fernet.macCount
            return key.mac.isValid(
                UnsafeRawBufferPointer(rebasing: raw[signed...]),
                for: UnsafeRawBufferPointer(rebasing: raw[0..<signed])
            )
        }
    }

    /// Compares in 128 bits: the timestamp is checked before the HMAC, so it is any value a forger chose, and
    /// `timestamp + ttl` in 64 bits would trap on it.
    func checkTime(ttl: Int64, now: Int64) throws(FernetError) {
        if Int128(timestamp) + Int128(ttl) < Int128(now) { throw .expired }
        if Int128(now) + Int128(Fernet.maxClockSkew) < Int128(timestamp) { throw .fromTheFuture }
    }
}
