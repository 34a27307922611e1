import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// A small SMTP client on SwiftNIO and swift-nio-ssl, for the product's notification mails.
///
/// Hand-written because none of the Swift SMTP packages is both maintained and free of a web framework. It does
/// what sending a notice to a relay needs and no more: one connection per mail; EHLO; STARTTLS (required when
/// asked for: a server that does not offer it gets nothing) or TLS from the start; AUTH PLAIN (preferred) or LOGIN;
/// MAIL FROM, RCPT TO, DATA with dot-stuffing and CRLF line endings; QUIT. Certificates are fully verified
/// against the system's roots plus any ``SMTPSettings/additionalTrustRoots``; there is no switch to turn that off.
///
/// AUTH over an unencrypted connection is refused unless the server is on loopback (a local relay: nothing crosses
/// a network), the rule Go's `net/smtp` follows: a relay that accepts a password in clear, or an attacker who
/// strips STARTTLS from the capabilities, never sees it. The password is never logged, and a server that echoes
/// the credentials in a reply has them cut out of the error.
///
/// Every failure is an ``SMTPError`` saying whether it may pass (4xx, timeouts, connection trouble) or not (5xx,
/// TLS, addresses).
public struct SMTPClient: Sendable {
    public let settings: SMTPSettings
    private let tls: NIOSSLContext?
    private let group: any EventLoopGroup
    private let logger: Logger

    /// Fails (permanently) when a trust root cannot be read.
    public init(
        settings: SMTPSettings,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "smtp")
    ) throws(SMTPError) {
        self.settings = settings
        self.group = eventLoopGroup
        self.logger = logger
        guard settings.security != .none else {
            tls = nil
            return
        }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .fullVerification
        configuration.minimumTLSVersion = .tlsv12
        configuration.additionalTrustRoots = settings.additionalTrustRoots.map { .file($0) }
        do {
            tls = try NIOSSLContext(configuration: configuration)
        } catch {
            throw SMTPError(.permanent, "cannot set up TLS (a trust root file may be unreadable): \(error)")
        }
    }

    /// Sends `message` (a complete RFC 5322 message) from `sender` to `recipients` (bare addresses).
    public func send(_ message: String, from sender: String, to recipients: [String]) async throws(SMTPError) {
        for address in [sender] + recipients where !Self.isSafeAddress(address) {
            throw SMTPError(.permanent, "an address has characters SMTP cannot carry")
        }
        guard !recipients.isEmpty else { throw SMTPError(.permanent, "no recipient") }
        let connection: SMTPConnection
        do {
            connection = try await SMTPConnection.open(
                host: settings.host,
                port: settings.port,
                implicitTLS: settings.security == .implicitTLS ? tls : nil,
                group: group,
                connectTimeout: Self.timeAmount(settings.connectTimeout),
                replyTimeout: Self.timeAmount(settings.replyTimeout)
            )
        } catch {
            throw SMTPError.from(error)
        }
        do {
            try await converse(connection, message: message, sender: sender, recipients: recipients)
            await connection.close()
        } catch {
            await connection.close()
            throw SMTPError.from(error)
        }
    }

    private var secrets: [String] {
        guard let credentials = settings.credentials else { return [] }
        let plain = Data("\0\(credentials.username)\0\(credentials.password)".utf8).base64EncodedString()
        return [credentials.password, plain, Data(credentials.password.utf8).base64EncodedString()]
    }

    private func converse(_ start: SMTPConnection, message: String, sender: String, recipients: [String]) async throws {
        var connection = start
        try expect(try await connection.nextReply(), 220, "the greeting")
        let helo = "EHLO " + (settings.heloName ?? connection.localAddressLiteral)
        var capabilities = try await connection.command(helo)
        try expect(capabilities, 250, "EHLO")
        if settings.security == .startTLS, let tls {
            guard capabilities.extensions["STARTTLS"] != nil else {
                try? await connection.write("QUIT")
                throw SMTPError(.permanent, "the server does not offer STARTTLS, which MAIL_USE_TLS requires")
            }
            try expect(try await connection.command("STARTTLS"), 220, "STARTTLS")
            try await connection.startTLS(tls, host: settings.host)
            // What the server said before TLS may have been an attacker's: ask again.
            capabilities = try await connection.command(helo)
            try expect(capabilities, 250, "EHLO")
        }
        if let credentials = settings.credentials {
            try await authenticate(connection, credentials, mechanisms: capabilities.extensions["AUTH"] ?? [])
        }
        try expect(try await connection.command("MAIL FROM:<\(sender)>"), 250, "MAIL FROM")
        for recipient in recipients {
            let reply = try await connection.command("RCPT TO:<\(recipient)>")
            guard reply.code == 250 || reply.code == 251 else {
                throw SMTPError.refused(reply, to: "RCPT TO", scrubbing: secrets)
            }
        }
        try expect(try await connection.command("DATA"), 354, "DATA")
        try await connection.write(bytes: SMTPData.encode(message))
        try expect(try await connection.nextReply(), 250, "the end of DATA")
        logger.debug("mail accepted by the server", metadata: ["recipients": "\(recipients.count)"])
        // The mail is the server's now; a QUIT that fails changes nothing.
        _ = try? await connection.command("QUIT")
    }

    private func authenticate(_ connection: SMTPConnection, _ credentials: SMTPCredentials, mechanisms: [String])
        async throws
    {
        guard connection.isEncrypted || connection.peerIsLoopback else {
            throw SMTPError(
                .permanent,
                "refusing to send the SMTP password over an unencrypted connection; set MAIL_USE_TLS or MAIL_USE_SSL"
            )
        }
        let base64 = { (text: String) in Data(text.utf8).base64EncodedString() }
        if mechanisms.contains("PLAIN") {
            let reply = try await connection.command(
                "AUTH PLAIN " + base64("\0\(credentials.username)\0\(credentials.password)")
            )
            try expect(reply, 235, "AUTH PLAIN")
        } else if mechanisms.contains("LOGIN") {
            try expect(try await connection.command("AUTH LOGIN"), 334, "AUTH LOGIN")
            try expect(try await connection.command(base64(credentials.username)), 334, "AUTH LOGIN (user name)")
            try expect(try await connection.command(base64(credentials.password)), 235, "AUTH LOGIN (password)")
        } else {
            throw SMTPError(
                .permanent,
                mechanisms.isEmpty
                    ? "MAIL_USERNAME is set but the server offers no AUTH"
                    : "the server offers no AUTH mechanism this client speaks (PLAIN, LOGIN)"
            )
        }
        logger.trace("authenticated to the mail server")
    }

    private func expect(_ reply: SMTPReply, _ code: Int, _ command: String) throws {
        guard reply.code == code else { throw SMTPError.refused(reply, to: command, scrubbing: secrets) }
    }

    /// No control character, space or angle bracket: nothing that could end the command it goes into.
    static func isSafeAddress(_ address: String) -> Bool {
        !address.isEmpty && address.utf8.count <= 254
            && address.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && $0 != "<" && $0 != ">" }
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
