import SMTPClient

/// Hands a composed message to a mail server: ``SMTPClient`` in the service, a fake in tests.
public protocol MailTransport: Sendable {
    func send(_ message: String, from sender: String, to recipients: [String]) async throws(SMTPError)
}

extension SMTPClient: MailTransport {}
