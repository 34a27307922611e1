import Fernet
import Foundation
import GRDB

/// Proves that a rotated copy holds what it should, so a time is only reported for correct work.
///
/// Every token must carry the new key's HMAC; a sample of them must decrypt with the new key alone to the
/// seeded secret, keep the seeded timestamp, and be refused by the old key alone.
enum RotationVerification {
    /// Rows fully decrypted and compared; the HMAC check covers every row.
    static let sampleCount = 1_000

    static func verify(_ path: String, rotatedBy side: String, fixture: RotationFixture) throws {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        let rows = try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT id, api_secret FROM user_exchanges ORDER BY id")
        }
        func fail(_ problem: String) -> BenchFailure {
            BenchFailure("after the \(side) rotation: \(problem)")
        }
        guard rows.count == fixture.rows else {
            throw fail("\(rows.count) rows in user_exchanges, \(fixture.rows) seeded")
        }

        let newOnly = try MultiFernet(keys: [fixture.newKey])
        let newFernet = Fernet(key: fixture.newKey)
        let oldFernet = Fernet(key: fixture.oldKey)
        let stride = max(1, rows.count / sampleCount)
        for (offset, row) in rows.enumerated() {
            let id: Int64 = row["id"]
            let token: String = row["api_secret"]
            guard id == Int64(offset + 1) else { throw fail("row ids are not 1...\(fixture.rows)") }
            guard newOnly.keyIndex(opening: token) == 0 else { throw fail("row \(id) is not under the new key") }
            guard offset % stride == 0 || offset == rows.count - 1 else { continue }

            let plaintext: Data
            do {
                plaintext = try newFernet.decrypt(token)
            } catch {
                throw fail("row \(id) does not decrypt with the new key alone (\(error))")
            }
            guard plaintext == fixture.secrets[offset] else { throw fail("row \(id) decrypts to the wrong secret") }
            let timestamp = try newFernet.extractTimestamp(token)
            guard timestamp == Int64(RotationFixture.sealedAt.timeIntervalSince1970) else {
                throw fail("row \(id) lost its original Fernet timestamp")
            }
            // The old key must refuse the token, and for exactly this reason.
            let refusal: FernetError?
            do {
                _ = try oldFernet.decrypt(token)
                refusal = nil
            } catch {
                refusal = error
            }
            guard refusal == .invalidSignature else {
                let outcome = refusal.map { "\($0)" } ?? "it opens"
                throw fail("row \(id) is not refused by the old key for its signature (\(outcome))")
            }
        }
    }
}
