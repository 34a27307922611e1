import BearerTokens
import Foundation
import TestSupport
import Testing

@Suite struct BearerTokenTests {
    let authority = BearerTokenAuthority(secretKey: "flask-secret", maxAge: 3600)
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func mintsTheSeedFormat() throws {
        let token = authority.mint(userID: 42, at: now)
        let decoded = String(decoding: try #require(Data(base64Encoded: token)), as: UTF8.self)
        let parts = decoded.split(separator: ":")
        #expect(parts.count == 3 && parts[0] == "42" && parts[1] == "1700000000")
        #expect(parts[2].count == 64 && parts[2].allSatisfy(\.isHexDigit))
        #expect(try authority.verify(token, now: now) == 42)
    }

    @Test func knownAnswer() async throws {
        // HMAC-SHA256("flask-secret", "42:1700000000"), computed independently with Python's hmac module.
        let token = authority.mint(userID: 42, at: now)
        let expected =
            "NDI6MTcwMDAwMDAwMDpmZWZhZjQ1ZDk0YTQ4NDFlMDdkODY3Y2I5YTJlZTYyNWMxMmU3Y2JkMmNiMTA3YTJjYWE3MjBhMWRmNDIyN2Vm"
        if Python.executable != nil {
            let python = try await Python.run(
                """
                import hmac, hashlib, base64
                p = "42:1700000000"
                print(base64.b64encode(f"{p}:{hmac.new(b'flask-secret', p.encode(), hashlib.sha256).hexdigest()}".encode()).decode())
                """
            )
            #expect(token == python)
        }
        #expect(token == expected)
    }

    @Test func expiryAndFutureBounds() throws {
        let token = authority.mint(userID: 1, at: now)
        #expect(try authority.verify(token, now: now.addingTimeInterval(3600)) == 1)
        #expect(throws: BearerTokenAuthority.Refusal.expired) {
            try authority.verify(token, now: now.addingTimeInterval(3601))
        }
        #expect(try authority.verify(token, now: now.addingTimeInterval(-60)) == 1)
        #expect(throws: BearerTokenAuthority.Refusal.fromTheFuture) {
            try authority.verify(token, now: now.addingTimeInterval(-61))
        }
    }

    @Test func anotherKeysTokenIsRefused() {
        let foreign = BearerTokenAuthority(secretKey: "other", maxAge: 3600).mint(userID: 1, at: now)
        #expect(throws: BearerTokenAuthority.Refusal.badSignature) { try authority.verify(foreign, now: now) }
    }

    @Test func tamperedTokensAreRefused() throws {
        let token = authority.mint(userID: 7, at: now)
        let text = String(decoding: try #require(Data(base64Encoded: token)), as: UTF8.self)
        let forged = [
            text.replacingOccurrences(of: "7:", with: "8:"),
            text.replacingOccurrences(of: ":1700000000:", with: ":1700000001:"),
            String(text.dropLast()) + (text.hasSuffix("0") ? "1" : "0"),
        ]
        for variant in forged {
            #expect(throws: BearerTokenAuthority.Refusal.badSignature) {
                try authority.verify(Data(variant.utf8).base64EncodedString(), now: now)
            }
        }
    }

    @Test(arguments: [
        "", "not base64!", Data("7:1700000000".utf8).base64EncodedString(),
        Data("x:1700000000:00".utf8).base64EncodedString(), Data("7:1700000000:zz".utf8).base64EncodedString(),
        Data("7:1700000000:abcd".utf8).base64EncodedString(), String(repeating: "A", count: 10_000),
        Data("7:1700000000:ab:cd".utf8).base64EncodedString(),
    ])
    func malformedTokensAreRefused(token: String) {
        #expect(throws: BearerTokenAuthority.Refusal.malformed) { try authority.verify(token, now: now) }
    }
}
