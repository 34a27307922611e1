import Foundation

/// A notification email: RFC 5322 headers and a `multipart/alternative` body with a plain-text and an HTML part,
/// both UTF-8.
///
/// Untrusted text can reach the headers only through ``HeaderText`` (sanitised, encoded), and the bodies are
/// base64, whose alphabet has no CR, LF or `-`: no value can start a header or a MIME part. The boundary begins with
/// `=_`, which base64 never produces either.
public struct MailMessage: Sendable, Equatable {
    public var from: MailAddress
    public var to: MailAddress
    public var subject: String
    public var text: String
    public var html: String
    public var date: Date
    /// Without angle brackets: `<random>@<sender's domain>`.
    public var messageID: String
    public var boundary: String

    /// A message with the given `Message-ID` (or a new one at the sender's domain, ``newMessageID(at:)``) and the
    /// given boundary (or a random one); known-answer tests give both.
    public init(
        from: MailAddress,
        to: MailAddress,
        subject: String,
        text: String,
        html: String,
        date: Date,
        messageID: String? = nil,
        boundary: String? = nil
    ) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.date = date
        self.messageID = messageID ?? Self.newMessageID(at: from.domain)
        self.boundary = boundary ?? "=_" + Self.randomHex(12)
    }

    /// A new `Message-ID`, without angle brackets: 16 random bytes in hex at `domain`.
    public static func newMessageID(at domain: some StringProtocol) -> String {
        randomHex(16) + "@" + domain
    }

    /// The message as sent: CRLF line endings, no line over 78 characters except where a header has no space to
    /// fold at (still far below SMTP's 998).
    public func rendered() -> String {
        var lines = [
            address("From", from),
            address("To", to),
            HeaderText.field("Subject", subject),
            "Date: " + MailDate.format(date),
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
            // A notice, not a conversation: vacation responders and other robots should not answer it (RFC 3834).
            "Auto-Submitted: auto-generated",
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
            "",
        ]
        for (type, body) in [("text/plain", text), ("text/html", html)] {
            lines.append("--" + boundary)
            lines.append("Content-Type: \(type); charset=utf-8")
            lines.append("Content-Transfer-Encoding: base64")
            lines.append("")
            lines += Self.base64Lines(Self.crlf(body))
        }
        lines.append("--" + boundary + "--")
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    private func address(_ name: String, _ address: MailAddress) -> String {
        guard let displayName = address.displayName else { return "\(name): \(address.address)" }
        return HeaderText.fold(name + ":", HeaderText.phraseWords(displayName) + ["<\(address.address)>"])
    }

    /// Text in canonical form (RFC 2046 §4.1.1): every line break CRLF.
    static func crlf(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .replacingOccurrences(of: "\n", with: "\r\n")
    }

    static func base64Lines(_ text: String) -> [String] {
        let encoded = Data(text.utf8).base64EncodedString()
        var lines = [String]()
        var rest = Substring(encoded)
        while !rest.isEmpty {
            lines.append(String(rest.prefix(76)))
            rest = rest.dropFirst(76)
        }
        return lines
    }

    static func randomHex(_ bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return String(byte, radix: 16).count == 1 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
        }.joined()
    }
}
