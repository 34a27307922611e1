import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A TCP connection to the API on loopback, byte by byte, for the tests of slow and idle clients that an HTTP
/// client cannot play.
///
/// Waiting for the server happens on a thread of its own, never on Swift concurrency's few cooperative threads:
/// the server under test answers on those, and a test blocking them would starve it. One test uses a connection
/// at a time, hence `@unchecked Sendable`.
final class RawConnection: @unchecked Sendable {
    private let descriptor: Int32

    /// Connects to `port` on 127.0.0.1, or ::1 when the server listens there only.
    init(port: Int) throws {
        for family in [AF_INET, AF_INET6] {
            #if os(Linux)
            let candidate = socket(family, Int32(SOCK_STREAM.rawValue), 0)
            #else
            let candidate = socket(family, SOCK_STREAM, 0)
            #endif
            guard candidate >= 0 else { continue }
            if Self.connect(candidate, family: family, port: UInt16(port)) {
                descriptor = candidate
                return
            }
            close(candidate)
        }
        throw Failure(description: "connect() failed: \(errno)")
    }

    deinit { close(descriptor) }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private static func connect(_ descriptor: Int32, family: Int32, port: UInt16) -> Bool {
        if family == AF_INET {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr = in_addr(s_addr: inet_addr("127.0.0.1"))
            return withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
        }
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = port.bigEndian
        address.sin6_addr = in6addr_loopback
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) == 0
            }
        }
    }

    /// Sends `text`; `false` once the server has closed the connection.
    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        let sent = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        return sent == bytes.count
    }

    /// Reads until the server closes the connection or `timeout` passes: what arrived, and whether it closed.
    func readUntilClosed(timeout: Double) async -> (text: String, closed: Bool) {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: self.blockingRead(timeout: timeout)) }.start()
        }
    }

    private func blockingRead(timeout: Double) -> (text: String, closed: Bool) {
        let deadline = Date().addingTimeInterval(timeout)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            var poll = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let remaining = Int32(max(1, deadline.timeIntervalSinceNow * 1000))
            guard Glibc.poll(&poll, 1, min(remaining, 100)) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return (String(decoding: received, as: UTF8.self), true) }
            received += buffer[0..<count]
        }
        return (String(decoding: received, as: UTF8.self), false)
    }
}
