import BearerTokens
import Foundation
import Testing

/// A token's timestamp is whatever the holder of `SECRET_KEY` signed: a valid signature on an absurd timestamp
/// must be refused as expired or from the future, never trap the age arithmetic.
@Suite struct ExtremeTimestampTests {
    let authority = BearerTokenAuthority(secretKey: "flask-secret", maxAge: 3600)
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    /// A validly signed token stamped `seconds` (an `Int64` exactly representable as a `Double`).
    func token(stampedAt seconds: Double) throws -> String {
        let token = authority.mint(userID: 7, at: Date(timeIntervalSince1970: seconds))
        let text = String(decoding: try #require(Data(base64Encoded: token)), as: UTF8.self)
        #expect(text.split(separator: ":")[1] == "\(Int64(seconds))")
        return token
    }

    @Test func theMostNegativeTimestampIsExpired() throws {
        // `now - Int64.min` overflowed and trapped.
        for seconds in [-0x1p63, -0x1p62, -1e18] {
            #expect(throws: BearerTokenAuthority.Refusal.expired) {
                try authority.verify(try token(stampedAt: seconds), now: now)
            }
        }
    }

    @Test func theLargestTimestampIsFromTheFuture() throws {
        let largest = 0x1p63 - 1024  // the largest Double below 2^63
        #expect(throws: BearerTokenAuthority.Refusal.fromTheFuture) {
            try authority.verify(try token(stampedAt: largest), now: now)
        }
    }

    @Test func aClockThatIsNotATimeRefusesRatherThanTraps() throws {
        let token = authority.mint(userID: 7, at: now)
        for broken in [1e300, -1e300, Double.nan, Double.infinity] {
            #expect(throws: BearerTokenAuthority.Refusal.expired) {
                try authority.verify(token, now: Date(timeIntervalSince1970: broken))
            }
        }
        #expect(try authority.verify(token, now: now) == 7)
    }
}
