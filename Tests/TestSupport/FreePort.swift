import Foundation

/// A loopback TCP port to give a server under test: one no socket holds now, found by binding port 0.
///
/// A random port is not enough: a test process keeps hundreds of outgoing connections (to PostgreSQL, to the
/// fakes), each holding a port of the kernel's ephemeral range, and a server asked to listen on one of those
/// fails to start.
public enum FreePort {
    public static func loopback() throws -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw FreePortFailure("no socket for a free port") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
        }
        guard bound == 0 else { throw FreePortFailure("cannot bind for a free port") }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        guard named == 0 else { throw FreePortFailure("cannot read the free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

}

struct FreePortFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
