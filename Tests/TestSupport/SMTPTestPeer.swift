import Foundation

/// A real SMTP server for the mail tests: Python's `aiosmtpd` on 127.0.0.1, started per test as a subprocess.
///
/// Tests check ``unavailableReason`` and skip, printing it, where python3 or aiosmtpd (or, for TLS, `cryptography`)
/// is missing; `scripts/install-dependencies.sh` installs them where PyPI answers.
public final class SMTPTestPeer: @unchecked Sendable {
    public enum Security: String, Sendable {
        case none
        case startTLS = "starttls"
        case implicitTLS = "implicit"
    }

    public struct Options: Sendable {
        public var security: Security = .none
        /// When set, AUTH is required and checked against these.
        public var username: String?
        public var password: String?
        /// AUTH mechanisms the peer does not offer (`["PLAIN"]` leaves LOGIN).
        public var excludeMechanisms: [String] = []
        /// How many DATA commands are answered 451 before one is accepted.
        public var failData = 0
        /// Recipients refused with 550.
        public var reject: [String] = []

        public init() {}
    }

    /// A message the peer accepted, as Python's `email` package reads it.
    public struct Received: Decodable, Sendable {
        public let mailFrom: String
        public let recipients: [String]
        public let raw: String
        public let subject: String
        public let from: String
        public let to: String
        public let headerNames: [String]
        public let contentType: String
        public let text: String?
        public let html: String?
        public let defects: [String]
        public let tls: Bool
        public let authenticated: Bool
        public let mechanism: String?
    }

    public let port: Int
    public let folder: URL
    /// The throw-away certificate (PEM) of a TLS peer, to add as a trust root.
    public var certificatePath: String { folder.appendingPathComponent("cert.pem").path }
    private let process: Process
    private let input: Pipe

    public static let unavailableReason: String? = {
        guard Python.executable != nil else { return "python3 is not on PATH" }
        guard (try? Python.runBlocking("import aiosmtpd, cryptography")) != nil else {
            return "python3 has no `aiosmtpd` (or `cryptography`) module; scripts/install-dependencies.sh installs it"
        }
        return nil
    }()

    private init(port: Int, folder: URL, process: Process, input: Pipe) {
        self.port = port
        self.folder = folder
        self.process = process
        self.input = input
    }

    deinit {
        stop()
    }

    public static func start(_ options: Options = Options()) async throws -> SMTPTestPeer {
        guard let python = Python.executable else { throw Python.Failure(status: -1, standardError: "no python3") }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-peer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var configuration: [String: Any] = [
            "folder": folder.path, "tls": options.security.rawValue, "failData": options.failData,
            "reject": options.reject, "excludeMechanisms": options.excludeMechanisms,
        ]
        if let username = options.username, let password = options.password {
            configuration["username"] = username
            configuration["password"] = password
        }
        let argument = String(decoding: try JSONSerialization.data(withJSONObject: configuration), as: UTF8.self)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script, argument]
        let input = Pipe()
        let output = Pipe()
        let errors =
            FileManager.default.createFile(atPath: folder.path + "/stderr.log", contents: nil)
            ? try FileHandle(forWritingTo: folder.appendingPathComponent("stderr.log")) : nil
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let line = try await offThePool { () -> String in
            var bytes = [UInt8]()
            while let byte = try output.fileHandleForReading.read(upToCount: 1)?.first, byte != 10 {
                bytes.append(byte)
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        guard let port = Int(line.trimmingCharacters(in: .whitespaces)) else {
            let log = (try? String(contentsOf: folder.appendingPathComponent("stderr.log"), encoding: .utf8)) ?? ""
            process.terminate()
            throw Python.Failure(status: -1, standardError: "the SMTP peer did not start: \(log)")
        }
        return SMTPTestPeer(port: port, folder: folder, process: process, input: input)
    }

    /// The messages accepted so far, in order.
    public func received() throws -> [Received] {
        var messages = [Received]()
        var number = 1
        while let data = try? Data(contentsOf: folder.appendingPathComponent("\(number).json")) {
            messages.append(try JSONDecoder().decode(Received.self, from: data))
            number += 1
        }
        return messages
    }

    /// How many DATA commands the peer answered 451.
    public func deferrals() -> Int {
        let log = (try? String(contentsOf: folder.appendingPathComponent("deferred.log"), encoding: .utf8)) ?? ""
        return log.split(separator: "\n").count
    }

    public func stop() {
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
    }
}
