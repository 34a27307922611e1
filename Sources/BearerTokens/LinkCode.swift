import Crypto
import Foundation

/// A one-time code that links a Telegram account to a platform user: 32 random bytes as base64url without padding
/// (43 characters of `A-Za-z0-9_-`, within the 64 characters Telegram allows a `/start` parameter).
///
/// Only the code's SHA-256 ``hash`` is stored, so the database never holds a usable code; 256 random bits make a
/// plain hash enough (nothing to guess, so no key or salt is needed).
public struct LinkCode: Sendable, Equatable {
    /// The longest `start` parameter Telegram passes on.
    public static let maxLength = 64
    static let randomByteCount = 32

    /// The code as the user sees it.
    public let text: String

    private init(text: String) {
        self.text = text
    }

    /// A new code from the system's secure random source.
    public static func generate() -> LinkCode {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<randomByteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return LinkCode(text: base64URL(Data(bytes)))
    }

    /// A code as someone sent it (a `/start` payload), if it has the shape of one: 1 to 64 characters of
    /// `A-Za-z0-9_-`. Anything else is refused before it is hashed or looked up.
    public init?(parsing payload: some StringProtocol) {
        let utf8 = payload.utf8
        guard (1...Self.maxLength).contains(utf8.count), utf8.allSatisfy(Self.isCodeByte) else { return nil }
        text = String(payload)
    }

    /// What the store keeps and looks codes up by: SHA-256 of the code's UTF-8 text.
    public var hash: Data {
        Data(SHA256.hash(data: Data(text.utf8)))
    }

    private static func isCodeByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default: false
        }
    }

    private static func base64URL(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
