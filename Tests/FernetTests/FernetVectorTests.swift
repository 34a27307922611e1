import Foundation
import TestSupport
import Testing

@testable import Fernet

/// The Fernet spec's vectors: a few typed in (so a clone without `../shared` still covers them), then the whole
/// files where `../shared/testdata/fernet` exists.
@Suite struct FernetVectorTests {
    static let secret = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="
    static let token =
        "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA=="
    /// 1985-10-26T01:20:00-07:00.
    static let now: Int64 = 499_162_800

    @Test func generateVectorTypedIn() throws {
        let fernet = Fernet(key: try FernetKey(base64: Self.secret))
        let token = try fernet.encrypt(Data("hello".utf8), timestamp: Self.now, iv: Array(0..<16))
        #expect(token == Self.token)
    }

    @Test func verifyVectorTypedIn() throws {
        let fernet = Fernet(key: try FernetKey(base64: Self.secret))
        let now = Date(timeIntervalSince1970: Double(Self.now + 1))
        #expect(try fernet.decryptString(Self.token, ttl: 60, now: now) == "hello")
    }

    @Test(
        arguments: [
            (
                "incorrect mac",
                "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykQUFBQUFBQUFBQQ==",
                499_162_801, FernetError.invalidSignature
            ),
            (
                "payload padding error",
                "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0ODz4LEpdELGQAad7aNEHbf-JkLPIpuiYRLQ3RtXatOYREu2FWke6CnJNYIbkuKNqOhw==",
                499_162_801, .invalidPadding
            ),
            (
                "expired TTL",
                "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykRtfsH-p1YsUD2Q==",
                499_162_891, .expired
            ),
            (
                "payload size not multiple of block size",
                "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPOm73QeoCk9uGib28Xe5vz6oxq5nmxbx_v7mrfyudzUm",
                499_162_801, .malformedToken
            ),
        ] as [(String, String, Int64, FernetError)]
    )
    func invalidVectorsTypedIn(description: String, token: String, now: Int64, expected: FernetError) throws {
        let fernet = Fernet(key: try FernetKey(base64: Self.secret))
        #expect(throws: expected, "\(description)") {
            try fernet.decrypt(token, ttl: 60, now: Date(timeIntervalSince1970: Double(now)))
        }
    }

    @Test(.enabled(if: SharedTestData.fernetFolder != nil, "../shared/testdata/fernet is not beside this checkout"))
    func everyGenerateVector() throws {
        let vectors = try SharedTestData.fernetVectors("generate.json")
        #expect(!vectors.isEmpty)
        for vector in vectors {
            let fernet = Fernet(key: try FernetKey(base64: vector.secret))
            let token = try fernet.encrypt(
                Data((vector.src ?? "").utf8),
                timestamp: Int64(vector.date.timeIntervalSince1970),
                iv: vector.iv ?? []
            )
            #expect(token == vector.token)
        }
    }

    @Test(.enabled(if: SharedTestData.fernetFolder != nil, "../shared/testdata/fernet is not beside this checkout"))
    func everyVerifyVector() throws {
        let vectors = try SharedTestData.fernetVectors("verify.json")
        #expect(!vectors.isEmpty)
        for vector in vectors {
            let fernet = Fernet(key: try FernetKey(base64: vector.secret))
            let ttl = Int64(vector.ttl_sec ?? 0)
            #expect(try fernet.decryptString(vector.token, ttl: ttl, now: vector.date) == vector.src)
        }
    }

    @Test(.enabled(if: SharedTestData.fernetFolder != nil, "../shared/testdata/fernet is not beside this checkout"))
    func everyInvalidVector() throws {
        let vectors = try SharedTestData.fernetVectors("invalid.json")
        #expect(vectors.count == 8)
        for vector in vectors {
            let fernet = Fernet(key: try FernetKey(base64: vector.secret))
            let ttl = Int64(vector.ttl_sec ?? 0)
            #expect(throws: FernetError.self, "\(vector.desc ?? "?")") {
                try fernet.decrypt(vector.token, ttl: ttl, now: vector.date)
            }
        }
    }

    @Test func sharedFolderPresenceIsReported() {
        if SharedTestData.fernetFolder == nil {
            print("note: ../shared/testdata/fernet not found; only the typed-in Fernet vectors ran")
        }
    }
}
