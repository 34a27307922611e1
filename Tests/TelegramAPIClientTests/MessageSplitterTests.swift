import TelegramAPIClient
import Testing

/// Long HTML text cut into parts Telegram accepts: at line breaks outside elements first, never inside a tag,
/// an entity or a character, with elements closed and reopened across a cut.
@Suite struct MessageSplitterTests {
    /// An independent check of Telegram HTML: tags balanced, every `&` one of the entities Telegram knows.
    static func isWellFormed(_ html: String) -> Bool {
        var stack: [String] = []
        var index = html.startIndex
        while index < html.endIndex {
            switch html[index] {
            case "<":
                guard let close = html[index...].firstIndex(of: ">") else { return false }
                let inner = html[html.index(after: index)..<close]
                if inner.hasPrefix("/") {
                    guard stack.popLast() == String(inner.dropFirst()) else { return false }
                } else {
                    stack.append(String(inner.prefix { $0.isLetter || $0 == "-" }))
                }
                index = html.index(after: close)
            case "&":
                guard let semicolon = html[index...].firstIndex(of: ";") else { return false }
                let name = html[html.index(after: index)..<semicolon]
                let numeric = name.first == "#" && name.count > 1 && name.dropFirst().allSatisfy(\.isNumber)
                guard numeric || ["amp", "lt", "gt", "quot"].contains(name) else { return false }
                index = html.index(after: semicolon)
            default:
                index = html.index(after: index)
            }
        }
        return stack.isEmpty
    }

    /// The text without its tags (entities left as they are).
    static func textContent(_ html: String) -> String {
        var text = ""
        var inTag = false
        for character in html {
            if character == "<" {
                inTag = true
            } else if character == ">" && inTag {
                inTag = false
            } else if !inTag {
                text.append(character)
            }
        }
        return text
    }

    static func expectValid(_ parts: [String], maxLength: Int = 4096, sourceLocation: SourceLocation = #_sourceLocation)
    {
        #expect(!parts.isEmpty, sourceLocation: sourceLocation)
        for part in parts {
            #expect(part.utf16.count <= maxLength, sourceLocation: sourceLocation)
            #expect(isWellFormed(part), "\(part.prefix(80))…", sourceLocation: sourceLocation)
            let blank = part.allSatisfy(\.isWhitespace)
            #expect(!blank, sourceLocation: sourceLocation)
        }
    }

    @Test func textThatFitsIsUnchanged() {
        let exact = String(repeating: "a", count: 4096)
        #expect(MessageSplitter.split(exact) == [exact])
        #expect(MessageSplitter.split("<b>hi</b>\n\nthere") == ["<b>hi</b>\n\nthere"])
        #expect(MessageSplitter.maxLength == 4096)
    }

    @Test func oneOverTheLimitIsCutHard() {
        let text = String(repeating: "a", count: 4097)
        let parts = MessageSplitter.split(text)
        #expect(parts.map(\.count) == [4096, 1])
        #expect(parts.joined() == text)
    }

    @Test func smallExamplesOfEachRule() {
        #expect(MessageSplitter.split("aaa\nbbb\nccc", maxLength: 8) == ["aaa\nbbb", "ccc"])
        #expect(MessageSplitter.split("<b>aaaa</b>\n<i>bb</i>", maxLength: 12) == ["<b>aaaa</b>", "<i>bb</i>"])
        #expect(MessageSplitter.split("<b>abcdefgh</b>", maxLength: 12) == ["<b>abcde</b>", "<b>fgh</b>"])
        #expect(MessageSplitter.split("ab&amp;cd", maxLength: 6) == ["ab", "&amp;c", "d"])
        #expect(MessageSplitter.split("ab&#128512;cd", maxLength: 10) == ["ab", "&#128512;c", "d"])
        #expect(MessageSplitter.split("x\n\n\ny", maxLength: 2) == ["x", "y"])
    }

    @Test func linesStayWhole() {
        let lines = (1...300).map { "line \($0): " + String(repeating: "x", count: 40) }
        let text = lines.joined(separator: "\n")
        let parts = MessageSplitter.split(text)
        Self.expectValid(parts)
        #expect(parts.count == 4)
        #expect(parts.joined(separator: "\n") == text)
        for part in parts { #expect(!part.hasPrefix("\n") && !part.hasSuffix("\n")) }
    }

    @Test func prefersLineBreaksOutsideElements() {
        let block = (1...200).map { "\($0) " + String(repeating: "=", count: 40) }.joined(separator: "\n")
        let text = "<b>Report</b>\n<pre>\(block)</pre>\noutro"
        let parts = MessageSplitter.split(text)
        Self.expectValid(parts)
        #expect(parts[0] == "<b>Report</b>")
        for part in parts.dropFirst().dropLast() {
            #expect(part.hasPrefix("<pre>") && part.hasSuffix("</pre>"))
        }
        #expect(parts.last?.hasSuffix("</pre>\noutro") == true)
        #expect(parts.map(Self.textContent).joined(separator: "\n") == Self.textContent(text))
    }

    @Test func hardCutsInsideAnElementReopenItWithItsAttributes() {
        let open = #"<a href="https://example.org/?a=1&amp;b=2">"#
        let text = "\(open)\(String(repeating: "word ", count: 1000))</a>"
        let parts = MessageSplitter.split(text)
        Self.expectValid(parts)
        #expect(parts.count == 2)
        for part in parts { #expect(part.hasPrefix(open) && part.hasSuffix("</a>")) }
        #expect(parts.map(Self.textContent).joined() == Self.textContent(text))
    }

    @Test func nestedElementsCloseInReverseOrder() {
        let text = "<b><i>\(String(repeating: "z", count: 5000))</i></b>"
        let parts = MessageSplitter.split(text)
        Self.expectValid(parts)
        #expect(parts[0].hasPrefix("<b><i>") && parts[0].hasSuffix("</i></b>"))
        #expect(parts[1].hasPrefix("<b><i>") && parts[1].hasSuffix("</i></b>"))
    }

    @Test(arguments: [0, 1, 2, 3, 4])
    func entitiesAreNeverCut(offset: Int) {
        let text = String(repeating: "a", count: offset) + String(repeating: "&lt;", count: 2000)
        let parts = MessageSplitter.split(text)
        Self.expectValid(parts)
        #expect(parts.joined() == text)
    }

    @Test func tagsAreNeverCut() {
        let text = String(repeating: "<b>x</b> ", count: 600)
        let parts = MessageSplitter.split(text)
        Self.expectValid(parts)
        #expect(parts.joined() == text)
    }

    @Test func multiByteCharactersStayWhole() {
        let thumbs = "👍🏽"
        #expect(thumbs.utf16.count == 4)
        let text = String(repeating: thumbs, count: 3000)
        let parts = MessageSplitter.split(text)
        Self.expectValid(parts)
        #expect(parts.map(\.count) == [1024, 1024, 952])
        #expect(parts.allSatisfy { $0.allSatisfy { $0 == "👍🏽" } })
        #expect(parts.joined() == text)

        let family = "👨‍👩‍👧‍👦"
        let families = String(repeating: family, count: 1000)
        let familyParts = MessageSplitter.split(families)
        Self.expectValid(familyParts)
        #expect(familyParts.allSatisfy { $0.allSatisfy { $0 == "👨‍👩‍👧‍👦" } })
        #expect(familyParts.joined() == families)
    }

    @Test func cyrillicCountsOneUnitPerLetter() {
        let text = String(repeating: "я", count: 5000)
        #expect(MessageSplitter.split(text).map(\.count) == [4096, 904])
    }

    @Test func blankLinesDoNotMakeEmptyParts() {
        let text = String(repeating: "x", count: 4000) + "\n\n\n\n" + String(repeating: "y", count: 4000)
        #expect(
            MessageSplitter.split(text) == [String(repeating: "x", count: 4000), String(repeating: "y", count: 4000)]
        )
    }

    @Test func unclosedAngleBracketIsText() {
        let text = "a < b " + String(repeating: "c", count: 5000)
        let parts = MessageSplitter.split(text)
        #expect(parts.joined() == text)
        #expect(parts.allSatisfy { $0.utf16.count <= 4096 })
    }
}
