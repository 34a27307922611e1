import Foundation
import Testing

@testable import Fernet

@Suite struct FernetBehaviourTests {
    let key = FernetKey.generate()
    var fernet: Fernet { Fernet(key: key) }

    @Test(arguments: [0, 1, 15, 16, 31, 32, 64, 1000])
    func roundTripsEveryLength(length: Int) throws {
        let plaintext = Data((0..<length).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        let token = fernet.encrypt(plaintext)
        #expect(try fernet.decrypt(token) == plaintext)
        // Python's layout: 57 bytes of overhead plus whole blocks, padded base64.
        let rawCount = 57 + 16 * (length / 16 + 1)
        #expect(token.utf8.count == (rawCount + 2) / 3 * 4)
        #expect(token.hasPrefix("gAAAAA"))
    }

    @Test func freshIVEachTime() {
        #expect(fernet.encrypt("same") != fernet.encrypt("same"))
    }

    @Test func ttlBoundariesMatchPython() throws {
        let stamped = Date(timeIntervalSince1970: 1_000_000)
        let token = fernet.encrypt("x", at: stamped)
        // Accepted exactly at ts + ttl, refused one second later.
        #expect(try fernet.decryptString(token, ttl: 60, now: stamped.addingTimeInterval(60)) == "x")
        #expect(throws: FernetError.expired) { try fernet.decrypt(token, ttl: 60, now: stamped.addingTimeInterval(61)) }
        // 60 s in the future is tolerated, 61 s is not.
        #expect(try fernet.decryptString(token, ttl: 60, now: stamped.addingTimeInterval(-60)) == "x")
        #expect(throws: FernetError.fromTheFuture) {
            try fernet.decrypt(token, ttl: 60, now: stamped.addingTimeInterval(-61))
        }
        // Without a TTL, no time check at all.
        #expect(try fernet.decryptString(token, now: Date(timeIntervalSince1970: 0)) == "x")
    }

    @Test func wrongKeyIsASignatureError() {
        let token = fernet.encrypt("secret")
        #expect(throws: FernetError.invalidSignature) { try Fernet(key: .generate()).decrypt(token) }
    }

    @Test func everyTamperedByteIsRefused() throws {
        let token = fernet.encrypt("tamper me")
        var raw = try #require(Base64URL.decode(token))
        for index in raw.indices {
            raw[index] ^= 0x01
            let tampered = Base64URL.encode(raw)
            #expect(throws: FernetError.self) { try fernet.decrypt(tampered) }
            raw[index] ^= 0x01
        }
    }

    /// The spec's token, spoiled in one way each: empty, not a multiple of four, unpadded, the standard alphabet,
    /// a trailing newline, padding in the middle, a wrong version byte.
    @Test(arguments: [
        "",
        "gAAAAA",
        "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA",
        "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ+eEwCGM4BLLF/5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==",
        "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==\n",
        "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4Iwq=A==",
        "AAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==",
    ])
    func malformedTokensAreRefused(token: String) throws {
        let fernet = Fernet(key: try FernetKey(base64: "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="))
        #expect(throws: FernetError.self) { try fernet.decrypt(token) }
    }

    @Test(arguments: [
        "",
        "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4",  // no padding
        "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=A",
        "cw/0x689RpI+jtRR7oE8h/eQsKImvJapLeSbXpwF4e4=",  // standard alphabet
        "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e==",  // 31 bytes
        "not a key at all",
    ])
    func malformedKeysAreRefused(text: String) {
        #expect(throws: FernetError.malformedKey) { try FernetKey(base64: text) }
    }

    @Test func keyRoundTripsAndNeverPrintsItself() throws {
        let text = key.base64
        #expect(text.utf8.count == 44 && text.hasSuffix("="))
        #expect(try FernetKey(base64: text).base64 == text)
        #expect(!"\(key)".contains(text) && !String(reflecting: key).contains(text))
        #expect("\(key)".contains(key.fingerprint))
    }

    @Test func extractTimestampVerifiesTheMAC() throws {
        let token = fernet.encrypt("x", at: Date(timeIntervalSince1970: 1234))
        #expect(try fernet.extractTimestamp(token) == 1234)
        #expect(throws: FernetError.invalidSignature) { try Fernet(key: .generate()).extractTimestamp(token) }
    }
}

@Suite struct MultiFernetTests {
    let old = FernetKey.generate()
    let new = FernetKey.generate()

    @Test func firstKeyEncryptsAnyKeyDecrypts() throws {
        let ring = try MultiFernet(keys: [new, old])
        let underOld = Fernet(key: old).encrypt("legacy")
        #expect(try ring.decryptString(underOld) == "legacy")
        let fresh = ring.encrypt("fresh")
        #expect(try Fernet(key: new).decryptString(fresh) == "fresh")
        #expect(throws: FernetError.invalidSignature) { try Fernet(key: old).decrypt(fresh) }
        #expect(ring.keyIndex(opening: underOld) == 1)
        #expect(ring.keyIndex(opening: fresh) == 0)
        #expect(ring.keyIndex(opening: Fernet(key: .generate()).encrypt("x")) == nil)
    }

    @Test func rotateKeepsTimestampAndMovesToPrimary() throws {
        let ring = try MultiFernet(keys: [new, old])
        let original = Fernet(key: old).encrypt("secret", at: Date(timeIntervalSince1970: 1000))
        let rotated = try ring.rotate(original, verifying: true)
        #expect(try Fernet(key: new).extractTimestamp(rotated) == 1000)
        #expect(try Fernet(key: new).decryptString(rotated) == "secret")
        #expect(throws: FernetError.invalidSignature) { try Fernet(key: old).decrypt(rotated) }
        // Rotating again yields new bytes, same plaintext.
        let again = try ring.rotate(rotated)
        #expect(again != rotated)
        #expect(try ring.decryptString(again) == "secret")
    }

    @Test func rotateRefusesForeignTokens() throws {
        let ring = try MultiFernet(keys: [new, old])
        #expect(throws: FernetError.invalidSignature) { try ring.rotate(Fernet(key: .generate()).encrypt("x")) }
    }

    @Test func parsesCommaSeparatedKeys() throws {
        let ring = try MultiFernet(commaSeparated: " \(new.base64) , \(old.base64)\n")
        #expect(ring.fernets.map(\.key.fingerprint) == [new.fingerprint, old.fingerprint])
        #expect(throws: FernetError.noKeys) { try MultiFernet(commaSeparated: "") }
        #expect(throws: FernetError.malformedKey) { try MultiFernet(commaSeparated: "\(new.base64),") }
        #expect(throws: FernetError.noKeys) { try MultiFernet(keys: []) }
    }
}
