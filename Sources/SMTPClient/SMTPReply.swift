/// A server reply: its code and its lines' texts (one per line of a multi-line reply, `250-…` then `250 …`).
public struct SMTPReply: Sendable, Equatable {
    public let code: Int
    public let lines: [String]

    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    public var text: String { lines.joined(separator: " / ") }

    /// The first word of each line after the first of an EHLO reply, upper-cased: `STARTTLS`, `AUTH`, `SIZE`.
    var extensions: [String: [String]] {
        var result = [String: [String]]()
        for line in lines.dropFirst() {
            // Old servers write `AUTH=LOGIN PLAIN` as well as `AUTH LOGIN PLAIN`.
            let words = line.uppercased().split(whereSeparator: { $0 == " " || $0 == "=" }).map(String.init)
            guard let name = words.first else { continue }
            result[name, default: []] += words.dropFirst()
        }
        return result
    }
}
