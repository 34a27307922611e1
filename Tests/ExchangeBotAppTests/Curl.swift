import Foundation

/// HTTP requests through curl, which (unlike URLSession) can call from a chosen local address (`--interface`), so a
/// test can be several clients on one machine: 127.0.0.2 and 127.0.0.3 are loopback addresses too.
enum Curl {
    struct Response {
        let status: Int
        /// Header values by lowercased name (the last of repeated ones).
        let headers: [String: String]
        let body: String
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Sends one request from `source` and returns the answer; redirects are not followed. curl runs on a thread
    /// of its own: the fake exchanges answer on the cooperative threads, which a blocking wait would hold.
    static func send(
        _ method: String,
        _ url: String,
        from source: String = "127.0.0.1",
        headers: [String] = [],
        body: String? = nil
    ) async throws -> Response {
        guard let curl = ShellCommand.find("curl") else { throw Failure(description: "curl is not installed") }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("curl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var arguments = [
            "--silent", "--show-error", "--noproxy", "*", "--max-time", "30", "--interface", source,
            "--request", method, "--dump-header", folder.appendingPathComponent("headers").path,
            "--output", folder.appendingPathComponent("body").path, "--write-out", "%{http_code}",
        ]
        for header in headers { arguments += ["--header", header] }
        if let body {
            try body.write(to: folder.appendingPathComponent("request"), atomically: true, encoding: .utf8)
            arguments += ["--data-binary", "@" + folder.appendingPathComponent("request").path]
        }
        arguments.append(url)
        let command = arguments
        let result = try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try ShellCommand.run(curl, command) }) }.start()
        }
        guard result.status == 0, let status = Int(result.output.trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            throw Failure(description: "curl \(method) \(url) from \(source) failed: \(result.output)")
        }
        let head = (try? String(contentsOf: folder.appendingPathComponent("headers"), encoding: .utf8)) ?? ""
        var fields = [String: String]()
        for line in head.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let text = (try? String(contentsOf: folder.appendingPathComponent("body"), encoding: .utf8)) ?? ""
        return Response(status: status, headers: fields, body: text)
    }
}
