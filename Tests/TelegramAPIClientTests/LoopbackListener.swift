import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A bare TCP socket on 127.0.0.1 for driving the real transport without a server: it can stay silent (the
/// kernel completes the handshake, nobody answers) or read one request and send one canned answer.
final class LoopbackListener: @unchecked Sendable {
    let port: UInt16
    private let descriptor: Int32

    init() throws {
        #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && listen(descriptor, 8) == 0
                    && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            throw POSIXError(.EADDRNOTAVAIL)
        }
        self.descriptor = descriptor
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit {
        close(descriptor)
    }

    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// Accepts one connection on a thread of its own, reads one request (head and body) and answers `response`.
    func answerOnce(status: String, body: String) async -> String {
        await withCheckedContinuation { continuation in
            let thread = Thread { [descriptor] in
                let connection = accept(descriptor, nil, nil)
                guard connection >= 0 else {
                    continuation.resume(returning: "")
                    return
                }
                let request = Self.readRequest(connection)
                let answer =
                    "HTTP/1.1 \(status)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
                    + "Connection: close\r\n\r\n\(body)"
                _ = answer.withCString { send(connection, $0, strlen($0), 0) }
                close(connection)
                continuation.resume(returning: request)
            }
            thread.start()
        }
    }

    private static func readRequest(_ connection: Int32) -> String {
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            if let headEnd = received.range(of: Data("\r\n\r\n".utf8)) {
                let head = String(decoding: received[..<headEnd.lowerBound], as: UTF8.self)
                let lengthLine = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                let length = lengthLine.flatMap {
                    Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces))
                }
                if received.count - headEnd.upperBound >= length ?? 0 { break }
            }
            let count = recv(connection, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: received, as: UTF8.self)
    }
}
