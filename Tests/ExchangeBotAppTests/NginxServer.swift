import Foundation
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A real nginx (Debian's `/usr/sbin/nginx`) run by the test as the current user, with everything it writes (pid,
/// logs, temporary files) in a temporary folder, serving a configuration derived from the shipped
/// `deploy/nginx/exchange-bot.conf`.
struct NginxServer {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let executable: String? = ShellCommand.find("nginx")

    static let shippedConfiguration = ShellCommand.checkout.appendingPathComponent("deploy/nginx/exchange-bot.conf")

    /// The ports the shipped file's servers listen on in the test.
    struct Ports {
        /// The HTTPS server (`listen 443 ssl`), as plain HTTP on loopback.
        let tls: Int
        /// The redirecting HTTP server (`listen 80`).
        let plain: Int
        /// The service (`proxy_pass http://127.0.0.1:8000`).
        let backend: Int
    }

    /// The shipped file made runnable on loopback: each server's `listen` moved to `127.0.0.1` and a free port (the
    /// TLS server as plain HTTP: its `ssl_*` lines dropped), IPv6 `listen`s dropped, `proxy_pass` aimed at the
    /// service's port, logs moved to `logs`. Everything else (locations, headers, limits, timeouts) is tested as
    /// shipped. Throws when the file no longer has a line the rewrite expects, so a changed file cannot silently
    /// turn this into a test of something else.
    static func testConfiguration(from shipped: String, ports: Ports, logs: String) throws -> String {
        var tlsListens = 0
        var plainListens = 0
        var proxyPasses = 0
        var lines = [String]()
        for line in shipped.split(separator: "\n", omittingEmptySubsequences: false) {
            let directive = line.trimmingCharacters(in: .whitespaces)
            let indent = String(line.prefix { $0 == " " })
            if directive.hasPrefix("#") {
                lines.append(String(line))
            } else if directive == "listen 443 ssl http2;" {
                tlsListens += 1
                lines.append(indent + "listen 127.0.0.1:\(ports.tls);")
            } else if directive == "listen 80;" {
                plainListens += 1
                lines.append(indent + "listen 127.0.0.1:\(ports.plain);")
            } else if directive.hasPrefix("listen [::]:") || directive.hasPrefix("ssl_") {
                continue
            } else if directive == "proxy_pass http://127.0.0.1:8000;" {
                proxyPasses += 1
                lines.append(indent + "proxy_pass http://127.0.0.1:\(ports.backend);")
            } else {
                lines.append(line.replacingOccurrences(of: "/var/log/nginx/", with: logs + "/"))
            }
        }
        guard tlsListens == 1, plainListens == 1, proxyPasses >= 2 else {
            throw Failure(
                description: "deploy/nginx/exchange-bot.conf changed shape (listen 443: \(tlsListens), listen 80: "
                    + "\(plainListens), proxy_pass to :8000: \(proxyPasses)); update NginxServer's rewrite"
            )
        }
        let directives = lines.filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }.joined()
        guard !directives.contains(":8000"), !directives.contains("/var/log/"), !directives.contains(" ssl") else {
            throw Failure(description: "the rewritten configuration still names a production port, path or TLS")
        }
        return lines.joined(separator: "\n")
    }

    /// The main configuration around the server blocks: one process (no workers to switch users or outlive a
    /// failed test), every path in `folder`.
    static func mainConfiguration(including serverFile: String, folder: String) -> String {
        """
        master_process off;
        pid \(folder)/nginx.pid;
        error_log \(folder)/error.log info;
        events { worker_connections 64; }
        http {
            access_log \(folder)/access.log;
            client_body_temp_path \(folder)/client_body;
            proxy_temp_path \(folder)/proxy;
            fastcgi_temp_path \(folder)/fastcgi;
            uwsgi_temp_path \(folder)/uwsgi;
            scgi_temp_path \(folder)/scgi;
            include \(serverFile);
        }

        """
    }

    let process: Process
    let folder: String

    /// Starts nginx on `serverConfiguration` and returns once it listens: nginx writes its pid file only after it
    /// has opened its listening sockets, so connections made after that are queued, never refused.
    static func start(serverConfiguration: String, in folder: String) async throws -> NginxServer {
        guard let executable else { throw Failure(description: "nginx is not installed") }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let serverFile = folder + "/exchange-bot.conf"
        try serverConfiguration.write(toFile: serverFile, atomically: true, encoding: .utf8)
        try mainConfiguration(including: serverFile, folder: folder)
            .write(toFile: folder + "/nginx.conf", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "-p", folder, "-e", folder + "/error.log", "-c", folder + "/nginx.conf", "-g", "daemon off;",
        ]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: createdFile(folder + "/stderr")))
        try process.run()
        let server = NginxServer(process: process, folder: folder)
        let deadline = ContinuousClock.now + .seconds(20)
        while !FileManager.default.fileExists(atPath: folder + "/nginx.pid") {
            guard process.isRunning, ContinuousClock.now < deadline else {
                await server.stop()
                throw Failure(description: "nginx did not start: \(server.errors)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return server
    }

    /// nginx's error log and standard error, for failure messages.
    var errors: String {
        ["/error.log", "/stderr"].compactMap { try? String(contentsOfFile: folder + $0, encoding: .utf8) }
            .joined(separator: "\n")
    }

    /// Stops nginx (SIGQUIT: it finishes the requests in hand) and waits for it to end.
    func stop() async {
        if process.isRunning { kill(process.processIdentifier, SIGQUIT) }
        let deadline = ContinuousClock.now + .seconds(10)
        while !process.hasEnded {
            if ContinuousClock.now > deadline { kill(process.processIdentifier, SIGKILL) }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// `nginx -t` on a main configuration file: whether nginx accepts it, and what it said.
    static func check(_ configuration: String, in folder: String) throws -> ShellCommand.Result {
        guard let executable else { throw Failure(description: "nginx is not installed") }
        return try ShellCommand.run(
            executable,
            ["-t", "-p", folder, "-e", folder + "/error.log", "-c", configuration, "-g", "daemon off;"]
        )
    }

    private static func createdFile(_ path: String) -> String {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        return path
    }
}
