import Foundation
import TelegramAPIClient
import Testing

/// Escaping of dynamic text for HTML messages.
@Suite struct HTMLTests {
    @Test(
        arguments: [
            ("Tom & Jerry", "Tom &amp; Jerry"),
            ("<b>bold</b>", "&lt;b&gt;bold&lt;/b&gt;"),
            (#"say "hi""#, "say &quot;hi&quot;"),
            ("&amp;", "&amp;amp;"),
            ("a<b>&c\"d'e", "a&lt;b&gt;&amp;c&quot;d'e"),
            ("Привет, 👍🏽 ключ", "Привет, 👍🏽 ключ"),
            ("", ""),
        ]
    )
    func escapes(_ input: String, _ expected: String) {
        #expect(HTML.escape(input) == expected)
    }

    @Test func escapedTextHasNoMarkupLeft() {
        let hostile = #"<a href="x">&lt;</a> & <tg-spoiler>"#
        let escaped = HTML.escape(hostile)
        #expect(!escaped.contains("<") && !escaped.contains(">") && !escaped.contains("\""))
        let withoutEntities = ["&amp;", "&lt;", "&gt;", "&quot;"].reduce(escaped) {
            $0.replacingOccurrences(of: $1, with: "")
        }
        #expect(!withoutEntities.contains("&"))
    }
}
