import Fernet
import Foundation

/// Per-call Fernet throughput of our Swift implementation, for the same input the Python baseline uses: one
/// 64-byte secret (the size of an exchange API secret), a fresh token per encryption, the same token decrypted
/// over and over.
enum FernetThroughput {
    static let secretCount = 64

    struct Result {
        var encrypt: Throughput
        var decrypt: Throughput
    }

    static func measure(seconds: Double) throws -> Result {
        let fernet = Fernet(key: .generate())
        let secret = randomBytes(secretCount)
        let token = fernet.encrypt(secret)
        // Each loop folds its results into a checksum that is checked afterwards, so the optimiser cannot drop
        // the calls and a wrong result cannot pass for a fast one.
        var encryptedCharacters = 0
        var decryptedBytes = 0
        let warmUp = min(0.2, seconds)
        _ = Throughput.timeBoxed(seconds: warmUp) { encryptedCharacters &+= fernet.encrypt(secret).utf8.count }
        _ = try Throughput.timeBoxed(seconds: warmUp) { decryptedBytes &+= try fernet.decrypt(token).count }

        encryptedCharacters = 0
        let encryption = Throughput.timeBoxed(seconds: seconds) {
            encryptedCharacters &+= fernet.encrypt(secret).utf8.count
        }
        decryptedBytes = 0
        let decryption = try Throughput.timeBoxed(seconds: seconds) {
            decryptedBytes &+= try fernet.decrypt(token).count
        }

        guard encryptedCharacters == encryption.operations * token.utf8.count,
            decryptedBytes == decryption.operations * secretCount,
            try fernet.decrypt(fernet.encrypt(secret)) == secret
        else {
            throw BenchFailure("Swift Fernet produced wrong results during the throughput measurement")
        }
        return Result(encrypt: encryption, decrypt: decryption)
    }

    /// Random bytes from the system generator, drawn eight at a time because each draw is a system call.
    static func randomBytes(_ count: Int) -> Data {
        var generator = SystemRandomNumberGenerator()
        var bytes = Data(capacity: count + 7)
        while bytes.count < count {
            withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) }
        }
        return bytes.prefix(count)
    }
}
