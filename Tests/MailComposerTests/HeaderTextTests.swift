import Foundation
import MailComposer
import Testing

/// RFC 2047 encoded-words, folding and RFC 5322 dates, against known answers.
@Suite struct HeaderTextTests {
    /// RFC 2047 §8's name, as UTF-8 `B` words (base64 computed independently with Python).
    @Test func encodesTheRFCExampleName() {
        #expect(HeaderText.encodedWords("Keld Jørn Simonsen") == ["=?UTF-8?B?S2VsZCBKw7hybiBTaW1vbnNlbg==?="])
        #expect(HeaderText.field("Subject", "Привет, мир") == "Subject: =?UTF-8?B?0J/RgNC40LLQtdGCLCDQvNC40YA=?=")
    }

    @Test func plainASCIIStaysReadableAndFoldsAtSpaces() {
        let subject = Array(repeating: "approved", count: 20).joined(separator: " ")
        let field = HeaderText.field("Subject", subject)
        #expect(!field.contains("=?"))
        let lines = field.components(separatedBy: "\r\n")
        #expect(lines.count > 1)
        #expect(lines.allSatisfy { $0.utf8.count <= 78 })
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix(" ") })
        #expect(Self.unfold(field) == "Subject: " + subject)
    }

    /// Text that looks like an encoded-word is encoded itself, so a client never decodes what the user typed.
    @Test func textThatLooksEncodedIsEncoded() {
        #expect(HeaderText.field("Subject", "=?UTF-8?B?SGk=?=").contains("=?UTF-8?B?PT9VVEYtOD9CP1NHaz0/PQ==?="))
    }

    /// A long Cyrillic and emoji subject: every word under 75 characters, every line under 78, each word whole
    /// UTF-8 on its own, and the words together the original text.
    @Test func longUnicodeIsSplitBetweenCharacters() throws {
        let subject = String(repeating: "Ключ «основной» одобрен 👍🏽 ", count: 8)
        let field = HeaderText.field("Subject", subject)
        let lines = field.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 78 })
        var decoded = ""
        for word in Self.unfold(field).dropFirst("Subject: ".count).split(separator: " ") {
            #expect(word.count <= 75)
            #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
            let payload = word.dropFirst(10).dropLast(2)
            let bytes = try #require(Data(base64Encoded: String(payload)))
            decoded += try #require(String(data: bytes, encoding: .utf8))
        }
        #expect(decoded == subject)
    }

    @Test func controlCharactersBecomeSpaces() {
        #expect(HeaderText.sanitized("a\r\nBcc: x\u{0}\u{7F}\u{85}\u{2028}b") == "a  Bcc: x    b")
    }

    @Test func datesAreRFC5322() {
        #expect(MailDate.format(Date(timeIntervalSince1970: 1_796_600_000)) == "Sun, 06 Dec 2026 23:33:20 +0000")
        #expect(MailDate.format(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 +0000")
    }

    static func unfold(_ field: String) -> String {
        field.replacingOccurrences(of: "\r\n ", with: " ")
    }
}
