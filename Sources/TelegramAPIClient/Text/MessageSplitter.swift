/// Cuts the HTML text of a message into parts Telegram accepts, each at most 4096 characters.
///
/// The rule, in order of preference:
/// 1. Text that fits is returned unchanged, as one part.
/// 2. A part ends at the last line break that fits and lies outside every element (no tag is open there). The
///    line break itself is dropped, and so are blank lines around it.
/// 3. If no such line break fits, at the last line break that fits inside elements (a long `<pre>` block).
/// 4. If no line break fits at all, a hard cut at the last point that fits and is not inside a tag `<…>`, an
///    entity `&…;` or a character (a whole grapheme cluster, so emoji and accents stay intact).
///
/// Where a cut falls inside elements, the part closes them and the next part reopens them with the same tags and
/// attributes, so each part is valid HTML on its own. Length is counted in UTF-16 code units of the HTML source,
/// tags included: never less than what Telegram counts after parsing, so every part is accepted, at the price of
/// parts a little shorter than they could be.
///
/// The input is expected to be Telegram HTML with dynamic text escaped (``HTML/escape(_:)``); a `<` with no `>`
/// after it is taken as text. Plain text without a parse mode may be split too, as long as it contains no `<`.
public enum MessageSplitter {
    /// The API's limit for `sendMessage` and `editMessageText`.
    public static let maxLength = 4096

    public static func split(_ html: String, maxLength: Int = MessageSplitter.maxLength) -> [String] {
        if html.utf16.count <= maxLength { return [html] }
        let tokens = tokenize(html)
        let stacks = openElements(before: tokens)
        var parts: [String] = []
        var start = 0
        while start < tokens.count {
            let prefix = stacks[start].map(\.openTag).joined()
            var length = prefix.utf16.count
            var lineBreakOutside: Int?
            var lineBreakInside: Int?
            var boundary: Int?
            var index = start
            while index < tokens.count {
                if index > start && length + closingLength(stacks[index]) <= maxLength {
                    boundary = index
                    if tokens[index].kind == .lineBreak {
                        lineBreakInside = index
                        if stacks[index].isEmpty { lineBreakOutside = index }
                    }
                }
                if length + tokens[index].length > maxLength { break }
                length += tokens[index].length
                index += 1
            }
            if index == tokens.count {
                append(prefix, tokens[start...], "", to: &parts)
                break
            }
            var end: Int
            var resume: Int
            if let lineBreak = lineBreakOutside ?? lineBreakInside {
                end = lineBreak
                while end > start && tokens[end - 1].kind == .lineBreak { end -= 1 }
                resume = lineBreak + 1
                while resume < tokens.count && tokens[resume].kind == .lineBreak { resume += 1 }
            } else {
                /// No boundary fits only when one token (a huge tag) alone exceeds the limit; it goes out whole.
                end = boundary ?? start + 1
                resume = end
            }
            append(prefix, tokens[start..<end], closing(stacks[end]), to: &parts)
            start = resume
        }
        return parts
    }

    /// Adds a part unless it holds nothing but white space (between two line breaks, say).
    private static func append(_ prefix: String, _ body: ArraySlice<Token>, _ suffix: String, to parts: inout [String])
    {
        let blank = body.allSatisfy {
            $0.kind == .lineBreak || ($0.kind == .text && $0.text.allSatisfy(\.isWhitespace))
        }
        if blank { return }
        parts.append(prefix + body.map(\.text).joined() + suffix)
    }

    private struct Token {
        enum Kind: Equatable {
            case text
            case lineBreak
            case open(String)
            case close(String)
        }

        var text: Substring
        var kind: Kind
        var length: Int
    }

    private struct OpenElement {
        var name: String
        var openTag: Substring
    }

    private static func closing(_ stack: [OpenElement]) -> String {
        stack.reversed().map { "</\($0.name)>" }.joined()
    }

    private static func closingLength(_ stack: [OpenElement]) -> Int {
        stack.reduce(0) { $0 + $1.name.utf16.count + 3 }
    }

    /// Splits the text into units a cut may not enter: tags, entities and single characters.
    private static func tokenize(_ html: String) -> [Token] {
        var tokens: [Token] = []
        var index = html.startIndex
        while index < html.endIndex {
            let character = html[index]
            var end = html.index(after: index)
            var kind = Token.Kind.text
            if character == "<", let close = tagEnd(in: html, from: index) {
                end = html.index(after: close)
                kind = tagKind(html[index..<end])
            } else if character == "&", let semicolon = entityEnd(in: html, from: index) {
                end = html.index(after: semicolon)
            } else if character.isNewline {
                kind = .lineBreak
            }
            let text = html[index..<end]
            tokens.append(Token(text: text, kind: kind, length: text.utf16.count))
            index = end
        }
        return tokens
    }

    /// The `>` that ends the tag starting at `start`, skipping quoted attribute values.
    private static func tagEnd(in html: String, from start: String.Index) -> String.Index? {
        var quote: Character?
        var index = html.index(after: start)
        while index < html.endIndex {
            let character = html[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == ">" {
                return index
            } else if character == "<" {
                return nil
            }
            index = html.index(after: index)
        }
        return nil
    }

    /// The `;` that ends the entity starting at `start` (`&amp;`, `&#128512;`, `&#x1F600;`).
    private static func entityEnd(in html: String, from start: String.Index) -> String.Index? {
        var index = html.index(after: start)
        var count = 0
        while index < html.endIndex && count <= 32 {
            let character = html[index]
            if character == ";" { return count > 0 ? index : nil }
            guard character.isASCII && (character.isLetter || character.isNumber || character == "#") else {
                return nil
            }
            count += 1
            index = html.index(after: index)
        }
        return nil
    }

    private static func tagKind(_ tag: Substring) -> Token.Kind {
        var inner = tag.dropFirst().dropLast()
        let closing = inner.first == "/"
        if closing { inner = inner.dropFirst() }
        if inner.last == "/" { return .text }
        let name = String(inner.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }).lowercased()
        if name.isEmpty { return .text }
        return closing ? .close(name) : .open(name)
    }

    /// For each token index (and the end), the elements open just before it.
    private static func openElements(before tokens: [Token]) -> [[OpenElement]] {
        var stacks: [[OpenElement]] = [[]]
        stacks.reserveCapacity(tokens.count + 1)
        var stack: [OpenElement] = []
        for token in tokens {
            switch token.kind {
            case .open(let name):
                stack.append(OpenElement(name: name, openTag: token.text))
            case .close(let name):
                if let match = stack.lastIndex(where: { $0.name == name }) { stack.removeSubrange(match...) }
            case .text, .lineBreak:
                break
            }
            stacks.append(stack)
        }
        return stacks
    }
}
