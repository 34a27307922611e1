import Foundation

/// Recognises what a pasted text is, so a credential sent at the wrong step is deleted and named instead of being
/// taken for a label or shown back to the user.
public enum CredentialShape: Equatable, Sendable {
    /// A PEM block (Coinbase's private key), whole or in part.
    case pem
    /// Coinbase's downloaded key file: JSON with `name` (the API key) and `privateKey` (the PEM).
    case coinbaseKeyFile(name: String, privateKey: String)
    /// Some other JSON object.
    case json
    /// One long token of letters, digits and `-_+/=.:`, such as an API key or secret.
    case token
    /// Anything else: ordinary text.
    case text

    /// Shorter tokens are ordinary words; exchange keys and secrets are 16 characters or more (Bybit's keys 18,
    /// OKX's 36, Kraken's 56).
    static let tokenLength = 16

    public init(_ raw: String) {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        // JSON first: Coinbase's key file holds a PEM.
        if text.hasPrefix("{"), let object = Self.jsonObject(text) {
            if let name = object["name"] as? String, let key = object["privateKey"] as? String {
                self = .coinbaseKeyFile(name: name, privateKey: key)
            } else {
                self = .json
            }
        } else if text.hasPrefix("{") && text.hasSuffix("}") {
            self = .json
        } else if text.contains("-----BEGIN") || text.contains("PRIVATE KEY-----") {
            self = .pem
        } else if Self.isToken(text) {
            self = .token
        } else {
            self = .text
        }
    }

    /// Whether the text would be a credential: deleted wherever the bot does not expect one.
    public var isCredential: Bool { self != .text }

    private static func isToken(_ text: String) -> Bool {
        guard text.unicodeScalars.count >= tokenLength else { return false }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_+/=.:"))
        guard text.unicodeScalars.allSatisfy({ $0.isASCII && allowed.contains($0) }) else { return false }
        // A long word is still a word ("MainAccount2024" is a label): a short token counts as a key only when it
        // is digit-heavy, as random keys are; from 24 characters any mix of digits or cases does.
        let digits = text.unicodeScalars.filter { CharacterSet.decimalDigits.contains($0) }.count
        let letters = text.unicodeScalars.filter { CharacterSet.letters.contains($0) }.count
        let upper = text.unicodeScalars.contains { CharacterSet.uppercaseLetters.contains($0) }
        let lower = text.unicodeScalars.contains { CharacterSet.lowercaseLetters.contains($0) }
        if text.unicodeScalars.count >= 24 { return digits > 0 || (upper && lower) }
        return digits >= 4 && letters >= 4
    }

    /// Bounded: a key file is well under 4 KB, and untrusted input must not make the parser work hard.
    private static func jsonObject(_ text: String) -> [String: Any]? {
        guard text.utf8.count <= 8_192, let data = text.data(using: .utf8) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }
}
