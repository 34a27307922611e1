import Foundation

/// Recognises a Fernet token by its shape alone (url-safe base64 of version 0x80, a timestamp, an IV, whole AES
/// blocks and a MAC), without any key: how an API key that the Python side stored encrypted is told from a plain
/// one, by both storage engines.
public enum FernetShape {
    public static func isToken(_ text: some StringProtocol) -> Bool {
        guard text.hasPrefix("gAAAAA"), text.utf8.count % 4 == 0 else { return false }
        let standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard let bytes = Data(base64Encoded: standard) else { return false }
        // 1 version + 8 timestamp + 16 IV + n·16 ciphertext + 32 HMAC, n ≥ 1.
        return bytes.first == 0x80 && bytes.count >= 73 && (bytes.count - 57) % 16 == 0
    }
}
