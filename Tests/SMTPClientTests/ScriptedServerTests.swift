import Foundation
import SMTPClient
import TestSupport
import Testing

/// The client against a scripted fake, for what a real server will not do: multi-line replies in odd places,
/// stalls, a missing STARTTLS, plain text injected after STARTTLS, credentials echoed back.
@Suite struct ScriptedServerTests {
    static let greeting = ScriptedSMTPServer.Step.send("220-fake.example ESMTP\r\n220-second line\r\n220 ready\r\n")
    static let ehlo: [ScriptedSMTPServer.Step] = [
        .read, .send("250-fake.example\r\n250-SIZE 1000000\r\n250 8BITMIME\r\n"),
    ]

    static func client(_ port: Int, _ configure: (inout SMTPSettings) -> Void = { _ in }) throws -> SMTPClient {
        var settings = SMTPSettings(host: "127.0.0.1", port: port, replyTimeout: .seconds(5))
        configure(&settings)
        return try SMTPClient(settings: settings)
    }

    /// A whole transaction with multi-line replies; the body arrives with CRLF line endings and dot-stuffed.
    @Test func deliversThroughMultiLineRepliesWithDotStuffing() async throws {
        let server = try ScriptedSMTPServer(
            [Self.greeting] + Self.ehlo + [
                .read, .send("250 2.1.0 ok\r\n"),
                .read, .send("250 2.1.5 ok\r\n"),
                .read, .send("354 go on\r\n"),
                .readData, .send("250-2.0.0 queued\r\n250 as 12345\r\n"),
                .read, .send("221 bye\r\n"),
            ]
        )
        try await Self.client(server.port).send(
            "Subject: x\n\n.starts with a dot\n..two\nend",
            from: "bot@example.com",
            to: ["alice@example.org"]
        )
        let transcript = await server.transcript()
        #expect(transcript.first?.hasPrefix("EHLO [127.0.0.1]") == true)
        #expect(
            Array(transcript.dropFirst()) == [
                "MAIL FROM:<bot@example.com>", "RCPT TO:<alice@example.org>", "DATA",
                "Subject: x", "", "..starts with a dot", "...two", "end", ".", "QUIT",
            ]
        )
    }

    @Test func aServerThatStallsTimesOutAsTransient() async throws {
        let server = try ScriptedSMTPServer([Self.greeting, .read])
        let client = try Self.client(server.port) { $0.replyTimeout = .milliseconds(300) }
        let error = await #expect(throws: SMTPError.self) {
            try await client.send("x", from: "bot@example.com", to: ["alice@example.org"])
        }
        #expect(error?.kind == .transient)
        #expect(error?.description.contains("did not answer") == true)
        _ = await server.transcript()
    }

    /// MAIL_USE_TLS with a server that does not offer STARTTLS: nothing about the mail is sent.
    @Test func requiredSTARTTLSMissingIsPermanentAndSendsNothing() async throws {
        let server = try ScriptedSMTPServer([Self.greeting] + Self.ehlo)
        let client = try Self.client(server.port) { $0.security = .startTLS }
        let error = await #expect(throws: SMTPError.self) {
            try await client.send("secret text", from: "bot@example.com", to: ["alice@example.org"])
        }
        #expect(error?.kind == .permanent)
        #expect(error?.description.contains("STARTTLS") == true)
        let transcript = await server.transcript()
        #expect(!transcript.contains { $0.hasPrefix("MAIL") || $0.hasPrefix("RCPT") || $0.contains("secret") })
    }

    /// Bytes after STARTTLS's 220, in clear, would be read as the answer to the first encrypted command.
    @Test func plainTextAfterSTARTTLSIsRefused() async throws {
        let server = try ScriptedSMTPServer(
            [
                Self.greeting, .read, .send("250-fake\r\n250 STARTTLS\r\n"), .read,
                .send("220 go ahead\r\n250 injected\r\n"),
            ]
        )
        let client = try Self.client(server.port) { $0.security = .startTLS }
        let error = await #expect(throws: SMTPError.self) {
            try await client.send("x", from: "bot@example.com", to: ["alice@example.org"])
        }
        #expect(error?.kind == .permanent)
        #expect(
            error?.description.contains("in clear after agreeing to STARTTLS") == true,
            "\(String(describing: error))"
        )
        _ = await server.transcript()
    }

    /// A relay that drops the connection in the TLS handshake (it restarts, or sheds a connection over its limit):
    /// a fault of the connection that may pass, not a TLS failure, so the mail is tried again later.
    @Test(arguments: [SMTPSettings.Security.startTLS, .implicitTLS])
    func aConnectionDroppedInTheTLSHandshakeIsTransient(security: SMTPSettings.Security) async throws {
        // The ClientHello is read before the hang-up: the client sees the end of the stream in its handshake.
        let script: [ScriptedSMTPServer.Step] =
            security == .startTLS
            ? [
                Self.greeting, .read, .send("250-fake\r\n250 STARTTLS\r\n"), .read, .send("220 go ahead\r\n"),
                .readBytes, .hangUp,
            ]
            : [.readBytes, .hangUp]
        let server = try ScriptedSMTPServer(script)
        let client = try Self.client(server.port) { $0.security = security }
        let error = await #expect(throws: SMTPError.self) {
            try await client.send("x", from: "bot@example.com", to: ["alice@example.org"])
        }
        #expect(error?.kind == .transient, "\(String(describing: error))")
        _ = await server.transcript()
    }

    @Test func aUsernameWithoutAUTHOfferedIsPermanent() async throws {
        let server = try ScriptedSMTPServer([Self.greeting] + Self.ehlo)
        let client = try Self.client(server.port) {
            $0.credentials = SMTPCredentials(username: "bot", password: "hunter2-secret")
        }
        let error = await #expect(throws: SMTPError.self) {
            try await client.send("x", from: "bot@example.com", to: ["alice@example.org"])
        }
        #expect(error?.kind == .permanent && error?.description.contains("offers no AUTH") == true)
        _ = await server.transcript()
    }

    /// A server that repeats the credentials in its refusal: the error carries neither the password nor the
    /// base64 AUTH string.
    @Test func echoedCredentialsAreCutFromErrors() async throws {
        let plain = Data("\0bot\0hunter2-secret".utf8).base64EncodedString()
        let server = try ScriptedSMTPServer(
            [
                Self.greeting, .read, .send("250-fake\r\n250 AUTH PLAIN\r\n"), .read,
                .send("535 5.7.8 bad credentials \(plain) hunter2-secret\r\n"),
            ]
        )
        let client = try Self.client(server.port) {
            $0.credentials = SMTPCredentials(username: "bot", password: "hunter2-secret")
        }
        let error = await #expect(throws: SMTPError.self) {
            try await client.send("x", from: "bot@example.com", to: ["alice@example.org"])
        }
        #expect(error?.kind == .permanent && error?.code == 535)
        #expect(error?.description.contains("hunter2") == false && error?.description.contains(plain) == false)
        #expect("\(SMTPCredentials(username: "bot", password: "hunter2-secret"))".contains("hunter2") == false)
        _ = await server.transcript()
    }

    @Test(arguments: [(451, SMTPError.Kind.transient), (550, .permanent)])
    func replyCodesAreClassified(code: Int, kind: SMTPError.Kind) async throws {
        let server = try ScriptedSMTPServer(
            [Self.greeting] + Self.ehlo + [.read, .send("\(code) \u{1B}[31mno\r\n")]
        )
        let error = await #expect(throws: SMTPError.self) {
            try await Self.client(server.port).send("x", from: "bot@example.com", to: ["alice@example.org"])
        }
        #expect(error?.kind == kind && error?.code == code)
        #expect(error?.description.unicodeScalars.contains { $0.value < 0x20 } == false)
        _ = await server.transcript()
    }

    @Test func garbageInsteadOfAReplyFails() async throws {
        let server = try ScriptedSMTPServer([.send("HTTP/1.1 400 Bad Request\r\n\r\n")])
        let error = await #expect(throws: SMTPError.self) {
            try await Self.client(server.port).send("x", from: "bot@example.com", to: ["alice@example.org"])
        }
        #expect(error?.description.contains("not an SMTP reply") == true)
        _ = await server.transcript()
    }

    @Test func aRefusedConnectionIsTransient() async throws {
        // A port that was free a moment ago: bound, then closed.
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        close(descriptor)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let error = await #expect(throws: SMTPError.self) {
            try await Self.client(port).send("x", from: "bot@example.com", to: ["alice@example.org"])
        }
        #expect(error?.kind == .transient)
    }

    /// An address that could end the command is refused before any connection.
    @Test(arguments: ["alice@example.org>\r\nRCPT TO:<evil@example.net", "a b@example.org", "", "<a@b.c>"])
    func unsafeAddressesAreRefusedBeforeConnecting(_ address: String) async throws {
        let error = await #expect(throws: SMTPError.self) {
            try await Self.client(1).send("x", from: "bot@example.com", to: [address])
        }
        #expect(error?.kind == .permanent && error?.description.contains("address") == true)
    }
}
