import Foundation
import MailComposer
import SMTPClient
import TestSupport
import Testing

/// The client and the composer against a real SMTP server, Python's aiosmtpd, whose `email` package reads what
/// arrived: plain delivery, STARTTLS and implicit TLS with a throw-away certificate, AUTH PLAIN and LOGIN checked by
/// the peer, a 4xx and a 5xx.
@Suite(.enabled(if: SMTPTestPeer.unavailableReason == nil, "\(SMTPTestPeer.unavailableReason ?? ""): not checked"))
struct SMTPPeerTests {
    static let sender = try! MailAddress(parsing: "Биржевой бот <bot@example.com>")

    static func message(subject: String = "Ключ «основной» одобрен ✅") throws -> MailMessage {
        MailMessage(
            from: sender,
            to: try MailAddress(address: "alice@example.org"),
            subject: subject,
            text: "Ваш ключ одобрен.\n.\nСообщение: всё хорошо",
            html: "<p>Ваш ключ <b>одобрен</b>.</p>",
            date: Date()
        )
    }

    static func client(_ peer: SMTPTestPeer, _ configure: (inout SMTPSettings) -> Void = { _ in }) throws -> SMTPClient
    {
        var settings = SMTPSettings(host: "127.0.0.1", port: peer.port, replyTimeout: .seconds(10))
        configure(&settings)
        return try SMTPClient(settings: settings)
    }

    static func send(_ client: SMTPClient, _ message: MailMessage) async throws(SMTPError) {
        try await client.send(message.rendered(), from: message.from.address, to: [message.to.address])
    }

    @Test func plainDeliveryArrivesWhole() async throws {
        let peer = try await SMTPTestPeer.start()
        let message = try Self.message()
        try await Self.send(try Self.client(peer), message)
        let received = try #require(try peer.received().first)
        #expect(received.mailFrom == "bot@example.com" && received.recipients == ["alice@example.org"])
        #expect(received.subject == "Ключ «основной» одобрен ✅")
        #expect(received.from == "Биржевой бот <bot@example.com>" && received.to == "alice@example.org")
        #expect(received.contentType == "multipart/alternative")
        #expect(received.text == "Ваш ключ одобрен.\n.\nСообщение: всё хорошо")
        #expect(received.html == "<p>Ваш ключ <b>одобрен</b>.</p>")
        #expect(received.defects.isEmpty)
        for name in ["Date", "Message-ID", "MIME-Version"] { #expect(received.headerNames.contains(name)) }
        #expect(!received.tls && !received.authenticated)
    }

    /// STARTTLS with the peer's throw-away certificate as an added trust root; without it, verification fails
    /// for good and nothing is sent.
    @Test func startTLSVerifiesTheCertificate() async throws {
        let peer = try await SMTPTestPeer.start(
            {
                var options = SMTPTestPeer.Options()
                options.security = .startTLS
                return options
            }()
        )
        let untrusting = try Self.client(peer) { $0.security = .startTLS }
        let error = await #expect(throws: SMTPError.self) { try await Self.send(untrusting, try Self.message()) }
        #expect(error?.kind == .permanent && error?.description.contains("TLS") == true, "\(String(describing: error))")
        #expect(try peer.received().isEmpty)

        let trusting = try Self.client(peer) {
            $0.security = .startTLS
            $0.additionalTrustRoots = [peer.certificatePath]
        }
        try await Self.send(trusting, try Self.message())
        let received = try #require(try peer.received().first)
        #expect(received.tls && received.subject == "Ключ «основной» одобрен ✅")
    }

    @Test func implicitTLSWithAuthPlain() async throws {
        let peer = try await SMTPTestPeer.start(
            {
                var options = SMTPTestPeer.Options()
                options.security = .implicitTLS
                options.username = "mailer"
                options.password = "pä55 wörd:\"x"
                return options
            }()
        )
        let client = try Self.client(peer) {
            $0.security = .implicitTLS
            $0.additionalTrustRoots = [peer.certificatePath]
            $0.credentials = SMTPCredentials(username: "mailer", password: "pä55 wörd:\"x")
        }
        try await Self.send(client, try Self.message())
        let received = try #require(try peer.received().first)
        #expect(received.tls && received.authenticated && received.mechanism == "PLAIN")
    }

    /// A peer that offers only LOGIN; then a wrong password, refused for good.
    @Test func authLoginOnLoopbackAndAWrongPassword() async throws {
        let peer = try await SMTPTestPeer.start(
            {
                var options = SMTPTestPeer.Options()
                options.username = "mailer"
                options.password = "right-password"
                options.excludeMechanisms = ["PLAIN"]
                return options
            }()
        )
        let client = try Self.client(peer) {
            $0.credentials = SMTPCredentials(username: "mailer", password: "right-password")
        }
        try await Self.send(client, try Self.message())
        let received = try #require(try peer.received().first)
        #expect(received.authenticated && received.mechanism == "LOGIN")

        let wrong = try Self.client(peer) {
            $0.credentials = SMTPCredentials(username: "mailer", password: "wrong-password")
        }
        let error = await #expect(throws: SMTPError.self) { try await Self.send(wrong, try Self.message()) }
        #expect(error?.kind == .permanent && error?.code == 535)
        #expect(error?.description.contains("wrong-password") == false)
        #expect(try peer.received().count == 1)
    }

    @Test func a4xxIsTransientAndTheNextAttemptSucceeds() async throws {
        let peer = try await SMTPTestPeer.start(
            {
                var options = SMTPTestPeer.Options()
                options.failData = 1
                return options
            }()
        )
        let client = try Self.client(peer)
        let error = await #expect(throws: SMTPError.self) { try await Self.send(client, try Self.message()) }
        #expect(error?.kind == .transient && error?.code == 451)
        try await Self.send(client, try Self.message())
        #expect(try peer.received().count == 1 && peer.deferrals() == 1)
    }

    @Test func a5xxIsPermanent() async throws {
        let peer = try await SMTPTestPeer.start(
            {
                var options = SMTPTestPeer.Options()
                options.reject = ["alice@example.org"]
                return options
            }()
        )
        let error = await #expect(throws: SMTPError.self) {
            try await Self.send(try Self.client(peer), try Self.message())
        }
        #expect(error?.kind == .permanent && error?.code == 550)
        #expect(try peer.received().isEmpty)
    }
}
