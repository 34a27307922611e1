import Foundation
import Synchronization

/// A loopback TCP port to give a server under test: one below the kernel's ephemeral range that no socket holds now.
///
/// Neither a random port nor one found by binding port 0 is safe. A test process keeps hundreds of outgoing
/// connections (to PostgreSQL, to the fakes), and each takes its local port from the ephemeral range
/// (`net.ipv4.ip_local_port_range`, 32768–60999 by default), which is also where port 0 is chosen. Between the
/// moment a port is found free and the moment the server binds it, a new outgoing connection can take it, and the
/// server fails with "address in use" (seen in CI with nginx). Ports below that range are never given to an
/// outgoing connection, so a port found free there stays free unless someone asks for it by number; the ports
/// handed out within this process come from one cursor, so two tests never get the same one.
public enum FreePort {
    /// The lowest port handed out: above the well-known and the commonly configured service ports.
    static let floor = 20_000
    /// Where the next search starts: a random place in the band, so that test processes run one after another on
    /// one machine do not all begin at the same port.
    private static let cursor = Mutex<Int?>(nil)

    public static func loopback() throws -> Int {
        let band = floor..<ephemeralRangeStart()
        guard band.count >= 1_000 else { return try kernelChosen() }
        for _ in 0..<band.count {
            let port = cursor.withLock { next -> Int in
                let port = next ?? Int.random(in: band)
                next = port + 1 < band.upperBound ? port + 1 : band.lowerBound
                return port
            }
            if try isFree(port) { return port }
        }
        throw FreePortFailure("no free loopback port in \(band)")
    }

    /// The first port of the kernel's ephemeral range (32768 when it cannot be read).
    static func ephemeralRangeStart() -> Int {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        return text.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32_768
    }

    /// Whether a socket can bind 127.0.0.1:`port` now (nothing listens on it nor holds it).
    static func isFree(_ port: Int) throws -> Bool {
        try withBoundSocket(port: port) { _ in true } ?? false
    }

    /// A port the kernel chose from its ephemeral range: the fallback where the range leaves no room below it.
    static func kernelChosen() throws -> Int {
        let port = try withBoundSocket(port: 0) { socket -> Int in
            var address = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let named = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
            }
            guard named == 0 else { throw FreePortFailure("cannot read the free port") }
            return Int(UInt16(bigEndian: address.sin_port))
        }
        guard let port else { throw FreePortFailure("cannot bind for a free port") }
        return port
    }

    /// Runs `body` with a TCP socket bound to 127.0.0.1:`port`, then closes it; `nil` when the bind fails.
    private static func withBoundSocket<T>(port: Int, _ body: (Int32) throws -> T) throws -> T? {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw FreePortFailure("no socket for a free port") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { return nil }
        return try body(socket)
    }
}

struct FreePortFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
