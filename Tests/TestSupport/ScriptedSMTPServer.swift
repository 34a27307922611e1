import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A fake SMTP server for what a real one will not do: it plays a script on one connection (send these bytes,
/// read a line, say nothing) and records the lines it read. For stalls, a server that hides STARTTLS, plain text
/// injected after STARTTLS's 220, odd multi-line replies.
public final class ScriptedSMTPServer: @unchecked Sendable {
    public enum Step: Sendable {
        /// Sends the text as it is (include the CRLFs).
        case send(String)
        /// Reads one line (a command) into the transcript.
        case read
        /// Reads lines up to and including a `.` line (the DATA body).
        case readData
        /// Reads whatever bytes come next (one read) and records nothing: a TLS ClientHello, say.
        case readBytes
        /// Closes the connection at once, ending the script: a relay that restarts or sheds a connection.
        case hangUp
    }

    public let port: Int
    /// The listening socket until the script's thread has accepted (and closed it); `nil` after.
    private let listener: Listener
    private let finished: Task<[String], Never>

    /// Listens on 127.0.0.1; the script runs on the first connection, then the server reads until the client
    /// closes (a server that "stalls" is a script that ends before the client expects it to).
    public init(_ script: [Step]) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && listen(descriptor, 4) == 0
                    && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            throw POSIXError(.EADDRNOTAVAIL)
        }
        let listener = Listener(descriptor)
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        // A thread of its own: it blocks for the whole conversation, and Dispatch's pool on Linux grows only slowly
        // past one thread per core, so a dozen servers there would wait for each other.
        let (stream, continuation) = AsyncStream.makeStream(of: [String].self)
        let thread = Thread {
            continuation.yield(Self.play(script, listener: listener))
            continuation.finish()
        }
        thread.start()
        finished = Task {
            var iterator = stream.makeAsyncIterator()
            return await iterator.next() ?? []
        }
    }

    /// Wakes a script still waiting to accept. The script's thread closes the listener itself once `accept`
    /// returned, under the lock: a descriptor closed here could be reused by another test's socket while that
    /// thread is about to accept on it, and one shut down here after that thread closed it could be another test's
    /// connection.
    deinit {
        listener.withLock { descriptor in
            if let descriptor { shutdown(descriptor, Int32(SHUT_RDWR)) }
        }
    }

    /// The lines the client sent, once it has closed the connection.
    public func transcript() async -> [String] {
        await finished.value
    }

    private static func play(_ script: [Step], listener: Listener) -> [String] {
        let descriptor = listener.withLock { $0 }!
        let connection = accept(descriptor, nil, nil)
        listener.withLock { stored in
            close(descriptor)
            stored = nil
        }
        guard connection >= 0 else { return [] }
        defer { close(connection) }
        var transcript = [String]()
        var pending = [UInt8]()
        func readLine() -> String? {
            while true {
                if let newline = pending.firstIndex(of: 10) {
                    let line = String(decoding: pending[..<newline], as: UTF8.self)
                    pending.removeSubrange(...newline)
                    return line.hasSuffix("\r") ? String(line.dropLast()) : line
                }
                var buffer = [UInt8](repeating: 0, count: 4096)
                let count = recv(connection, &buffer, buffer.count, 0)
                guard count > 0 else { return nil }
                pending += buffer[..<count]
            }
        }
        for step in script {
            switch step {
            case .send(let text):
                let bytes = Array(text.utf8)
                _ = bytes.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            case .read:
                guard let line = readLine() else { return transcript }
                transcript.append(line)
            case .readData:
                while let line = readLine() {
                    transcript.append(line)
                    if line == "." { break }
                }
            case .readBytes:
                if pending.isEmpty {
                    var buffer = [UInt8](repeating: 0, count: 4096)
                    guard recv(connection, &buffer, buffer.count, 0) > 0 else { return transcript }
                }
                pending = []
            case .hangUp:
                return transcript
            }
        }
        while let line = readLine() { transcript.append(line) }
        return transcript
    }
}

/// The listening descriptor behind a lock (see ``ScriptedSMTPServer``'s `deinit`).
private final class Listener: @unchecked Sendable {
    private let lock = NSLock()
    private var descriptor: Int32?

    init(_ descriptor: Int32) {
        self.descriptor = descriptor
    }

    func withLock<Result>(_ body: (inout Int32?) -> Result) -> Result {
        lock.withLock { body(&descriptor) }
    }
}
