import Foundation
import Testing

@testable import Fernet

/// With a TTL, a token's timestamp is checked before its HMAC (as Python does), so it is whatever a forger wrote:
/// an extreme one must be refused, never trap the age arithmetic.
@Suite struct ForgedTimestampTests {
    /// A well-formed but unsigned token stamped `timestamp`.
    static func forged(timestamp: Int64) -> String {
        var bytes: [UInt8] = [Fernet.version]
        withUnsafeBytes(of: UInt64(bitPattern: timestamp).bigEndian) { bytes.append(contentsOf: $0) }
        bytes += [UInt8](repeating: 0, count: 16 + 16 + 32)
        return Base64URL.encode(bytes)
    }

    let now = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func extremeTimestampsAreRefused() throws {
        let key = FernetKey.generate()
        let fernet = Fernet(key: key)
        let ring = try MultiFernet(keys: [key])
        #expect(throws: FernetError.fromTheFuture) {
            try fernet.decrypt(Self.forged(timestamp: .max), ttl: 60, now: now)
        }
        #expect(throws: FernetError.expired) { try fernet.decrypt(Self.forged(timestamp: .min), ttl: 60, now: now) }
        // `timestamp + ttl` overflowed with a huge TTL.
        #expect(throws: FernetError.invalidSignature) {
            try fernet.decrypt(Self.forged(timestamp: 1_700_000_000), ttl: .max, now: now)
        }
        #expect(throws: FernetError.fromTheFuture) { try ring.decrypt(Self.forged(timestamp: .max), ttl: 60, now: now) }
    }
}
