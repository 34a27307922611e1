import Foundation

/// Header values built from untrusted text (labels, reasons, names), encoded so that nothing in them can end the
/// header or start another.
///
/// Every control character (C0, DEL, C1, and the Unicode line and paragraph separators) becomes a space first, so
/// no CR or LF survives even in the decoded text. Text that is plain printable ASCII and has no `=?` goes out as
/// it is, folded at spaces; anything else becomes RFC 2047 `B` encoded-words in UTF-8, each under 75 characters and
/// holding whole characters, one per folded line. Lines stay within RFC 5322's 78 characters whenever the text has
/// spaces to fold at.
public enum HeaderText {
    /// The longest line a header folds to, excluding CRLF (RFC 5322 §2.1.1 recommends 78).
    static let lineLimit = 78
    /// UTF-8 bytes per encoded-word: 39 bytes are 52 base64 characters, 64 with `=?UTF-8?B?` and `?=`, so even
    /// the first word after `Subject: ` fits in 78.
    static let bytesPerWord = 39

    /// Whether a scalar would be a control character in a header or a body line.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028
            || scalar.value == 0x2029
    }

    /// `text` with every control character replaced by a space.
    public static func sanitized(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            scalars.append(isControl(scalar) ? " " : scalar)
        }
        return String(scalars)
    }

    /// A complete header field, `Name: value`, folded with CRLF + space; `value` is sanitised and encoded as needed.
    public static func field(_ name: String, _ value: String) -> String {
        let clean = sanitized(value)
        let words = needsEncoding(clean) ? encodedWords(clean) : clean.split(separator: " ").map(String.init)
        return fold(name + ":", words)
    }

    /// The words of a display name for `From`/`To`: an RFC 5322 quoted-string when plain ASCII, encoded-words
    /// otherwise (which the standard allows in a phrase, unquoted).
    static func phraseWords(_ name: String) -> [String] {
        let clean = sanitized(name)
        if needsEncoding(clean) { return encodedWords(clean) }
        let escaped = clean.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return ["\"" + escaped + "\""]
    }

    /// Joins `words` after `start` with single spaces, starting a new line (CRLF + space) where the next word
    /// would pass ``lineLimit``.
    static func fold(_ start: String, _ words: [String]) -> String {
        var result = start
        var lineLength = start.utf8.count
        for word in words where !word.isEmpty {
            if lineLength + 1 + word.utf8.count > lineLimit && lineLength > 1 {
                result += "\r\n " + word
                lineLength = 1 + word.utf8.count
            } else {
                result += " " + word
                lineLength += 1 + word.utf8.count
            }
        }
        return result
    }

    static func needsEncoding(_ text: String) -> Bool {
        !text.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) } || text.contains("=?")
            || text.split(separator: " ").contains { $0.utf8.count > lineLimit - 10 }
    }

    /// RFC 2047 `=?UTF-8?B?…?=` words covering `text`, split between Unicode scalars (never inside a UTF-8
    /// sequence), so each decodes on its own.
    public static func encodedWords(_ text: String) -> [String] {
        var words = [String]()
        var chunk = [UInt8]()
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > bytesPerWord {
                words.append(encodedWord(chunk))
                chunk.removeAll(keepingCapacity: true)
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append(encodedWord(chunk)) }
        return words
    }

    private static func encodedWord(_ bytes: [UInt8]) -> String {
        "=?UTF-8?B?" + Data(bytes).base64EncodedString() + "?="
    }
}
