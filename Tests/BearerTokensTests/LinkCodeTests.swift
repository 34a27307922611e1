import BearerTokens
import Foundation
import Testing

@Suite struct LinkCodeTests {
    @Test func generatedCodesAre43URLSafeCharactersAndDiffer() {
        let codes = (0..<50).map { _ in LinkCode.generate().text }
        #expect(Set(codes).count == codes.count)
        for code in codes {
            #expect(code.utf8.count == 43)
            #expect(code.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
            #expect(LinkCode(parsing: code)?.text == code)
        }
    }

    @Test func hashIsSHA256OfTheText() throws {
        // Computed independently: python3 -c "import hashlib; print(hashlib.sha256(b'Zm9vYmFy_-09').hexdigest())"
        let code = try #require(LinkCode(parsing: "Zm9vYmFy_-09"))
        let hex = code.hash.map { String(format: "%02x", $0) }.joined()
        #expect(hex == "8e601047648f7f3614ff3540ca8f29b74f3671f5997fe964d87ad78727605a72")
    }

    @Test(arguments: [
        "", String(repeating: "a", count: 65), "abc def", "abc+def", "abc/def", "abc=", "código", "abc\n",
        "a\u{0}b", "<b>x</b>", "abc@bot",
    ])
    func refusesPayloadsThatAreNotCodes(_ payload: String) {
        #expect(LinkCode(parsing: payload) == nil)
    }

    @Test func acceptsTheLongestPayloadTelegramPasses() {
        let payload = String(repeating: "Az9_-", count: 12) + "abcd"
        #expect(payload.count == 64)
        #expect(LinkCode(parsing: payload) != nil)
    }
}
