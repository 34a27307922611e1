import Crypto

/// HMAC-SHA256 (RFC 2104) keyed once, on swift-crypto's concrete `SHA256`.
///
/// swift-crypto's `HMAC<H>` is generic and not inlinable, so each call from this module ran its unspecialised code
/// (generic metadata look-ups and `DataProtocol` region walks) for a 73-byte message: a measurable part of every
/// token. The construction is the standard one: the inner and outer hash states are absorbed with the padded key
/// once, and each MAC copies them. The Fernet spec vectors and the Python interop tests pin its output.
struct FernetMAC: Sendable {
    static let byteCount = 32
    private static let blockByteCount = 64

    private let inner: SHA256
    private let outer: SHA256

    /// - Parameter key: the 16-byte signing half of a Fernet key (any key up to 64 bytes works unhashed).
    init(key: [UInt8]) {
        precondition(key.count <= Self.blockByteCount, "HMAC keys longer than a block are hashed first")
        var innerPad = [UInt8](repeating: 0x36, count: Self.blockByteCount)
        var outerPad = [UInt8](repeating: 0x5C, count: Self.blockByteCount)
        for (index, byte) in key.enumerated() {
            innerPad[index] ^= byte
            outerPad[index] ^= byte
        }
        var inner = SHA256()
        innerPad.withUnsafeBytes { inner.update(bufferPointer: $0) }
        var outer = SHA256()
        outerPad.withUnsafeBytes { outer.update(bufferPointer: $0) }
        self.inner = inner
        self.outer = outer
    }

    /// Writes the 32-byte MAC of `message` to the start of `output`.
    func authenticate(_ message: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) {
        var innerHash = inner
        innerHash.update(bufferPointer: message)
        var outerHash = outer
        innerHash.finalize().withUnsafeBytes { outerHash.update(bufferPointer: $0) }
        outerHash.finalize().withUnsafeBytes { digest in
            output.baseAddress!.copyMemory(from: digest.baseAddress!, byteCount: Self.byteCount)
        }
    }

    /// Whether `mac` is the MAC of `message`, compared in constant time: every byte is looked at whatever differs.
    func isValid(_ mac: UnsafeRawBufferPointer, for message: UnsafeRawBufferPointer) -> Bool {
        guard mac.count == Self.byteCount else { return false }
        return withUnsafeTemporaryAllocation(byteCount: Self.byteCount, alignment: 8) { expected in
            authenticate(message, into: expected)
            var difference: UInt8 = 0
            for index in 0..<Self.byteCount { difference |= expected[index] ^ mac[index] }
            return difference == 0
        }
    }
}
