import Foundation
import MailComposer
import SMTPClient

/// Email notifications' settings: the mail server and the sender.
public struct MailSettings: Sendable {
    public var smtp: SMTPSettings
    public var sender: MailAddress
}

extension Environment {
    /// The mail settings, with Flask-Mail's names so one environment file configures the platform and this
    /// service; `nil` when `MAIL_SERVER` is unset (no email).
    ///
    /// `MAIL_USE_TLS` is STARTTLS and required when true (a server that does not offer it gets no mail);
    /// `MAIL_USE_SSL` is TLS from the first byte; both at once is an error. `MAIL_CA_FILE` (this service's own
    /// addition) names a PEM file of certificates trusted besides the system's, for a relay with a private CA;
    /// certificates are always verified. `MAIL_PASSWORD` is read as written (not trimmed) and never repeated in an
    /// error.
    public func mail() throws(ConfigurationError) -> MailSettings? {
        guard let host = self["MAIL_SERVER"] else { return nil }
        guard host.utf8.count <= 253,
            !host.contains(where: { $0.isWhitespace || $0 == "/" || $0.asciiValue.map { $0 < 0x20 } ?? false })
        else {
            throw ConfigurationError("MAIL_SERVER", "must be a host name or an IP address such as smtp.example.com")
        }
        let port = try integer("MAIL_PORT", default: 25, range: 1...65535)
        let startTLS = try boolean("MAIL_USE_TLS", default: false)
        let implicitTLS = try boolean("MAIL_USE_SSL", default: false)
        if startTLS && implicitTLS {
            throw ConfigurationError(
                "MAIL_USE_SSL",
                "and MAIL_USE_TLS are both true; set MAIL_USE_SSL for TLS from the start (port 465) or MAIL_USE_TLS "
                    + "for STARTTLS (port 587), not both"
            )
        }
        let username = self["MAIL_USERNAME"]
        let password = values["MAIL_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        var credentials: SMTPCredentials?
        switch (username, password) {
        case (let username?, let password?):
            credentials = SMTPCredentials(username: username, password: password)
        case (_?, nil):
            throw ConfigurationError("MAIL_PASSWORD", "is required with MAIL_USERNAME")
        case (nil, _?):
            throw ConfigurationError("MAIL_USERNAME", "is required with MAIL_PASSWORD")
        case (nil, nil):
            credentials = nil
        }
        guard let senderText = self["MAIL_DEFAULT_SENDER"] else {
            throw ConfigurationError(
                "MAIL_DEFAULT_SENDER",
                "is required with MAIL_SERVER: the From of the mails, as `Name <address>` or `address`"
            )
        }
        let sender: MailAddress
        do {
            sender = try MailAddress(parsing: senderText)
        } catch {
            throw ConfigurationError("MAIL_DEFAULT_SENDER", "must be `Name <address>` or `address` (\(error.problem))")
        }
        var trustRoots = [String]()
        if let file = self["MAIL_CA_FILE"] {
            guard FileManager.default.isReadableFile(atPath: file) else {
                throw ConfigurationError("MAIL_CA_FILE", "names a file that does not exist or cannot be read")
            }
            trustRoots.append(file)
        }
        let smtp = SMTPSettings(
            host: host,
            port: port,
            security: implicitTLS ? .implicitTLS : startTLS ? .startTLS : .none,
            credentials: credentials,
            additionalTrustRoots: trustRoots
        )
        return MailSettings(smtp: smtp, sender: sender)
    }
}
