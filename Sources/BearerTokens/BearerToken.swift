import Crypto
import Foundation

/// The REST bearer tokens of the seed system, minted by the Flask side with its `SECRET_KEY`:
/// `base64("{user_id}:{timestamp}:{hex(HMAC-SHA256(SECRET_KEY, "{user_id}:{timestamp}"))}")`, standard base64
/// with padding, timestamp in Unix seconds.
///
/// Verification compares the HMAC in constant time and says only why a token was refused, never what it held.
public struct BearerTokenAuthority: Sendable {
    /// How far in the future a token's timestamp may lie (clock differences between the minting host and us).
    public static let allowedClockSkew: Int64 = 60

    private let key: SymmetricKey
    public let maxAge: Int64

    public init(secretKey: String, maxAge: Int64) {
        key = SymmetricKey(data: Data(secretKey.utf8))
        self.maxAge = maxAge
    }

    public enum Refusal: Error, Equatable, Sendable, CustomStringConvertible {
        case malformed
        case badSignature
        case expired
        case fromTheFuture

        public var description: String {
            switch self {
            case .malformed: "malformed token"
            case .badSignature: "invalid token signature"
            case .expired: "token expired"
            case .fromTheFuture: "token timestamp is in the future"
            }
        }
    }

    /// A token for `userID`, stamped `date`.
    public func mint(userID: Int64, at date: Date = Date()) -> String {
        let payload = "\(userID):\(Int64(date.timeIntervalSince1970.rounded(.down)))"
        let mac = HMAC<SHA256>.authenticationCode(for: Data(payload.utf8), using: key)
        let hex = mac.map { String(format: "%02x", $0) }.joined()
        return Data("\(payload):\(hex)".utf8).base64EncodedString()
    }

    /// The user id a valid token speaks for.
    public func verify(_ token: String, now: Date = Date()) throws(Refusal) -> Int64 {
        // A real token is well under 200 characters; refuse large inputs before decoding them. The seed's FastAPI
        // side decodes with `urlsafe_b64decode`, so both alphabets are accepted.
        let standard = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard token.utf8.count <= 512, let decoded = Data(base64Encoded: standard),
            let text = String(data: decoded, encoding: .utf8)
        else { throw .malformed }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, let userID = Int64(parts[0]), let timestamp = Int64(parts[1]),
            parts[0].allSatisfy(\.isASCII), parts[1].allSatisfy(\.isASCII),
            let signature = Self.hexBytes(parts[2]), signature.count == SHA256.byteCount
        else { throw .malformed }
        let payload = Data("\(parts[0]):\(parts[1])".utf8)
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: payload, using: key) else {
            throw .badSignature
        }
        // The timestamp is any Int64 the signer chose (a valid HMAC proves who minted it, not that it is sane):
        // compare in 128 bits, where `now - Int64.min` cannot overflow and trap.
        guard let nowSeconds = Int64(exactly: now.timeIntervalSince1970.rounded(.down)) else { throw .expired }
        if Int128(timestamp) > Int128(nowSeconds) + Int128(Self.allowedClockSkew) { throw .fromTheFuture }
        if Int128(nowSeconds) - Int128(timestamp) > Int128(maxAge) { throw .expired }
        return userID
    }

    private static func hexBytes(_ text: Substring) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
