import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Fresh IVs from the kernel's CSPRNG, fetched 4 KB at a time.
///
/// Asking the kernel for 16 bytes per token cost more than the AES and HMAC of a small secret. IVs are public
/// (they travel in the token), so keeping a page of kernel randomness in memory exposes nothing.
enum RandomIVSource {
    private static let pool = Mutex<(bytes: [UInt8], offset: Int)>(([], 0))
    private static let refillCount = 4096

    static func next() -> [UInt8] {
        pool.withLock { pool in
            if pool.offset + Fernet.blockCount > pool.bytes.count {
                pool.bytes = kernelRandomBytes(refillCount)
                pool.offset = 0
            }
            defer { pool.offset += Fernet.blockCount }
            return Array(pool.bytes[pool.offset..<pool.offset + Fernet.blockCount])
        }
    }

    private static func kernelRandomBytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { buffer in
            // glibc 2.36+ and Darwin: arc4random_buf draws from the kernel's getrandom and never fails.
            arc4random_buf(buffer.baseAddress!, count)
        }
        return bytes
    }
}
