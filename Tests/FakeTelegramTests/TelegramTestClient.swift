import Foundation
import TestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An HTTP/1.1 answer as the test client read it.
struct TelegramTestResponse: Sendable {
    var status: Int
    /// Header values by lowercased name.
    var headers: [String: String]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
    var json: FakeTelegramValue? { FakeTelegramValue.parse(text) }
    var ok: Bool? { json?["ok"]?.boolValue }
    var result: FakeTelegramValue? { json?["result"] }
    var errorCode: Int? { json?["error_code"]?.intValue }
    var description: String? { json?["description"]?.stringValue }
    var parameters: FakeTelegramValue? { json?["parameters"] }
}

/// A tiny HTTP/1.1 client over a blocking socket, sending exactly the bytes a test writes.
///
/// The blocking I/O runs on a thread of its own: on Linux Dispatch's global queues share threads with Swift's
/// cooperative pool, where the fake server runs, and blocking those during a long poll would starve it.
enum TelegramTestHTTP {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func send(
        to base: URL,
        _ method: String,
        _ target: String,
        headers: [(String, String)] = [],
        body: String = "",
        timeout: Double = 15
    ) async throws -> TelegramTestResponse {
        guard let port = base.port else { throw Failure(description: "no port in \(base)") }
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        let bodyBytes = Array(body.utf8)
        if !bodyBytes.isEmpty || method == "POST" { head += "Content-Length: \(bodyBytes.count)\r\n" }
        head += "\r\n"
        let request = Array(head.utf8) + bodyBytes
        return try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try exchange(request, port: UInt16(port), timeout: timeout) })
            }
            thread.start()
        }
    }

    private static func exchange(_ request: [UInt8], port: UInt16, timeout: Double) throws -> TelegramTestResponse {
        #if os(Linux)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw Failure(description: "socket() failed: \(errno)") }
        defer { close(descriptor) }
        var time = timeval(tv_sec: Int(timeout), tv_usec: .init((timeout - timeout.rounded(.down)) * 1_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr = in_addr(s_addr: inet_addr("127.0.0.1"))
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw Failure(description: "connect() failed: \(errno)") }
        var sent = 0
        while sent < request.count {
            let count = request[sent...].withUnsafeBytes { socketSend(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { throw Failure(description: "send() failed: \(errno)") }
            sent += count
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            guard count > 0 else { throw Failure(description: "timed out or recv() failed: \(errno)") }
            received += buffer[0..<count]
        }
        return try parse(received)
    }

    private static func parse(_ bytes: [UInt8]) throws -> TelegramTestResponse {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard bytes.count >= 4,
            let headEnd = (0...(bytes.count - 4)).first(where: { bytes[$0..<($0 + 4)].elementsEqual(separator) })
        else { throw Failure(description: "no header end in \(bytes.count) bytes") }
        let lines = String(decoding: bytes[0..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw Failure(description: "bad status line \(lines[0])")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces
            )
        }
        var body = Array(bytes[(headEnd + 4)...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { body = try dechunk(body) }
        return TelegramTestResponse(status: status, headers: headers, body: body)
    }

    private static func dechunk(_ bytes: [UInt8]) throws -> [UInt8] {
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard let lineEnd = (index..<bytes.count - 1).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 }),
                let size = Int(String(decoding: bytes[index..<lineEnd], as: UTF8.self), radix: 16)
            else { throw Failure(description: "bad chunk") }
            if size == 0 { break }
            output += bytes[(lineEnd + 2)..<(lineEnd + 2 + size)]
            index = lineEnd + 2 + size + 2
        }
        return output
    }
}

/// `send(2)`, out of reach inside ``TelegramTestHTTP`` whose own `send` shadows it.
private func socketSend(_ descriptor: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
    send(descriptor, bytes, count, 0)
}

/// The bot's side of the conversation: Bot API calls in each of the encodings Telegram accepts.
struct BotClient: Sendable {
    let server: FakeTelegramServer
    var token: String

    init(_ server: FakeTelegramServer, token: String? = nil) {
        self.server = server
        self.token = token ?? server.token
    }

    /// POST with an `application/json` body.
    func call(_ method: String, _ parameters: FakeTelegramValue = [:], timeout: Double = 15) async throws
        -> TelegramTestResponse
    {
        try await TelegramTestHTTP.send(
            to: server.baseURL,
            "POST",
            "/bot\(token)/\(method)",
            headers: [("Content-Type", "application/json")],
            body: parameters.json,
            timeout: timeout
        )
    }

    /// POST with an `application/x-www-form-urlencoded` body.
    func form(_ method: String, _ fields: [(String, String)]) async throws -> TelegramTestResponse {
        try await TelegramTestHTTP.send(
            to: server.baseURL,
            "POST",
            "/bot\(token)/\(method)",
            headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: Self.encode(fields)
        )
    }

    /// GET with the parameters in the query string.
    func query(_ method: String, _ fields: [(String, String)]) async throws -> TelegramTestResponse {
        try await TelegramTestHTTP.send(to: server.baseURL, "GET", "/bot\(token)/\(method)?" + Self.encode(fields))
    }

    static func encode(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.map { name, value in
            (name.addingPercentEncoding(withAllowedCharacters: allowed) ?? name) + "="
                + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)
        }.joined(separator: "&")
    }

    /// sendMessage with the usual parameters; `markup` is the reply_markup object.
    func send(
        _ chat: Int64,
        _ text: String,
        html: Bool = true,
        markup: FakeTelegramValue? = nil
    ) async throws -> TelegramTestResponse {
        var parameters: [String: FakeTelegramValue] = ["chat_id": .integer(chat), "text": .string(text)]
        if html { parameters["parse_mode"] = "HTML" }
        if let markup { parameters["reply_markup"] = markup }
        return try await call("sendMessage", .object(parameters))
    }
}

/// The people and chats the tests play.
enum Cast {
    static let token = "123456789:AAE-test_token-Secret"
    static let alice = FakeUser(id: 1001, firstName: "Alice", username: "alice", languageCode: "en")
    static let boris = FakeUser(id: 1002, firstName: "Борис", username: "boris", languageCode: "ru")
    static let admin = FakeUser(id: 1003, firstName: "Ada", lastName: "Admin", username: "ada")
    static let aliceChat = FakeChat.privateChat(with: alice)
    static let borisChat = FakeChat.privateChat(with: boris)
    static let adminGroup = FakeChat.supergroup(id: -1_001_234_567_890, title: "Approvals", username: "approvals")
    static let basicGroup = FakeChat.group(id: -4001, title: "Old approvals")

    /// A one-row inline keyboard with one callback button.
    static func keyboard(_ caption: String, data: String) -> FakeTelegramValue {
        ["inline_keyboard": [[["text": .string(caption), "callback_data": .string(data)]]]]
    }
}

/// Runs `body` against a fresh fake, stopping it afterwards even when the body throws.
func withTelegram(
    options: FakeTelegramOptions = .init(),
    _ body: (FakeTelegramServer, BotClient) async throws -> Void
) async throws {
    let server = try await FakeTelegramServer.start(token: Cast.token, options: options)
    do {
        try await body(server, BotClient(server))
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
}
