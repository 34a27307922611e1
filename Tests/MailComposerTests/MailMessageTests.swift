import Foundation
import MailComposer
import Testing

/// The whole message: headers, the two parts, and hostile values that try to add a header or a part.
@Suite struct MailMessageTests {
    static let sender = try! MailAddress(parsing: "Exchange Bot <bot@example.com>")
    static let recipient = try! MailAddress(address: "alice@example.org")
    static let hostile =
        "x\r\nBcc: evil@example.net\r\n\r\n--=_0123\r\nContent-Type: text/html\n\nBcc: also@evil.net\r."

    static func message(subject: String, text: String, html: String, from: MailAddress = sender) -> MailMessage {
        MailMessage(
            from: from,
            to: recipient,
            subject: subject,
            text: text,
            html: html,
            date: Date(timeIntervalSince1970: 1_796_600_000),
            messageID: "0123abcd@example.com",
            boundary: "=_0123"
        )
    }

    @Test func rendersTheKnownMessage() {
        let rendered = Self.message(subject: "Approved", text: "Hi.\n", html: "<p>Hi.</p>").rendered()
        let expected = [
            "From: \"Exchange Bot\" <bot@example.com>",
            "To: alice@example.org",
            "Subject: Approved",
            "Date: Sun, 06 Dec 2026 23:33:20 +0000",
            "Message-ID: <0123abcd@example.com>",
            "MIME-Version: 1.0",
            "Auto-Submitted: auto-generated",
            "Content-Type: multipart/alternative; boundary=\"=_0123\"",
            "",
            "--=_0123",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "",
            "SGkuDQo=",
            "--=_0123",
            "Content-Type: text/html; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "",
            "PHA+SGkuPC9wPg==",
            "--=_0123--",
            "",
        ].joined(separator: "\r\n")
        #expect(rendered == expected)
    }

    @Test func randomIDsAreAtTheSendersDomainAndDiffer() {
        let first = MailMessage(
            from: Self.sender,
            to: Self.recipient,
            subject: "s",
            text: "t",
            html: "h",
            date: Date()
        )
        let second = MailMessage(
            from: Self.sender,
            to: Self.recipient,
            subject: "s",
            text: "t",
            html: "h",
            date: Date()
        )
        #expect(first.messageID.hasSuffix("@example.com") && first.messageID.count == 32 + 12)
        #expect(first.messageID != second.messageID && first.boundary != second.boundary)
        #expect(first.boundary.hasPrefix("=_"))
    }

    /// Hostile text in the subject, the bodies and the sender's name: the headers are exactly the ones the composer
    /// writes, there are exactly two parts, and each body decodes to what was given.
    @Test func hostileValuesStartNoHeaderAndNoPart() throws {
        let from = try MailAddress(address: "bot@example.com", displayName: "Bot \" <evil@example.net>, Bcc:")
        let rendered = Self.message(subject: Self.hostile, text: Self.hostile, html: Self.hostile, from: from)
            .rendered()
        let withoutCRLF = rendered.replacingOccurrences(of: "\r\n", with: "")
        #expect(!withoutCRLF.contains("\n") && !withoutCRLF.contains("\r"))
        let (headerBlock, body) = try #require(Self.split(rendered))
        let names = headerBlock.components(separatedBy: "\r\n").filter { !$0.hasPrefix(" ") }.map {
            String($0.prefix { $0 != ":" })
        }
        #expect(
            names == ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Auto-Submitted", "Content-Type"]
        )
        // The hostile text is all in the one Subject field, its line breaks spaces.
        let subject = headerBlock.components(separatedBy: "\r\nSubject: ")[1].components(separatedBy: "\r\nDate: ")[0]
        #expect(subject.replacingOccurrences(of: "\r\n ", with: " ").hasPrefix("x Bcc: evil@example.net --=_0123"))
        let bodyLines = body.components(separatedBy: "\r\n")
        #expect(bodyLines.filter { $0.hasPrefix("--") } == ["--=_0123", "--=_0123", "--=_0123--"])
        for part in body.components(separatedBy: "--=_0123\r\n").dropFirst() {
            let (_, encoded) = try #require(Self.split(part))
            let base64 = encoded.components(separatedBy: "\r\n").prefix { !$0.hasPrefix("--") }.joined()
            let decoded = String(decoding: try #require(Data(base64Encoded: base64)), as: UTF8.self)
            #expect(
                decoded
                    == "x\r\nBcc: evil@example.net\r\n\r\n--=_0123\r\nContent-Type: text/html\r\n\r\nBcc: also@evil.net\r\n."
            )
        }
        #expect(rendered.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 998 })
    }

    /// A Unicode sender name is an encoded-word outside quotes; an ASCII one a quoted-string with escapes.
    @Test func senderNamesAreEncoded() throws {
        let russian = try MailAddress(address: "bot@example.com", displayName: "Бот ключей")
        let rendered = Self.message(subject: "s", text: "t", html: "h", from: russian).rendered()
        #expect(rendered.hasPrefix("From: =?UTF-8?B?0JHQvtGCINC60LvRjtGH0LXQuQ==?= <bot@example.com>\r\n"))
    }

    static func split(_ text: String) -> (String, String)? {
        guard let range = text.range(of: "\r\n\r\n") else { return nil }
        return (String(text[..<range.lowerBound]), String(text[range.upperBound...]))
    }
}
