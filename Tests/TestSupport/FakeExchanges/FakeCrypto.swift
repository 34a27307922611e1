import Crypto
import Foundation

/// The primitives the fakes verify with, written from the exchanges' documents and not shared with the signer
/// under test, so a mistake in one does not hide the same mistake in the other.
enum FakeCrypto {
    static func hmacSHA256(key: [UInt8], message: some DataProtocol) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    static func hmacSHA512(key: [UInt8], message: some DataProtocol) -> [UInt8] {
        Array(HMAC<SHA512>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    static func sha256(_ data: some DataProtocol) -> [UInt8] { Array(SHA256.hash(data: data)) }

    static func sha512(_ data: some DataProtocol) -> [UInt8] { Array(SHA512.hash(data: data)) }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Lowercase hex, the form every hex-signing exchange issues.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(128)
        for byte in bytes {
            output.append(hexDigits[Int(byte >> 4)])
            output.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    /// Decodes unpadded base64url as JWS uses it.
    static func base64URLDecode(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        if base64.contains("=") { return nil }
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }

    /// Compares two signatures in time independent of where they differ, as a real server should.
    static func constantTimeEqual(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(lhs, rhs) { difference |= left ^ right }
        return difference == 0
    }
}
