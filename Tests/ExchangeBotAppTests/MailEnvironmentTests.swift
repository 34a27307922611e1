import ExchangeBotApp
import Foundation
import MailComposer
import SMTPClient
import Testing

/// The `MAIL_*` variables, with Flask-Mail's names and defaults.
@Suite struct MailEnvironmentTests {
    static let base = ["MAIL_SERVER": "smtp.example.com", "MAIL_DEFAULT_SENDER": "Exchange Bot <bot@example.com>"]

    static func mail(_ extra: [String: String]) throws(ConfigurationError) -> MailSettings? {
        try Environment(base.merging(extra) { $1 }).mail()
    }

    static func problem(_ extra: [String: String], base: [String: String] = base) -> ConfigurationError? {
        do {
            _ = try Environment(base.merging(extra) { $1 }).mail()
            return nil
        } catch {
            return error
        }
    }

    @Test func unsetServerMeansNoMail() throws {
        #expect(try Environment(["MAIL_DEFAULT_SENDER": "bot@example.com"]).mail() == nil)
    }

    @Test func defaultsArePort25InClearWithoutAuth() throws {
        let mail = try #require(try Self.mail([:]))
        #expect(mail.smtp.host == "smtp.example.com" && mail.smtp.port == 25 && mail.smtp.security == .none)
        #expect(mail.smtp.credentials == nil && mail.smtp.additionalTrustRoots.isEmpty)
        #expect(mail.sender.displayName == "Exchange Bot" && mail.sender.address == "bot@example.com")
    }

    @Test func tlsChoicesAndCredentials() throws {
        let startTLS = try #require(
            try Self.mail([
                "MAIL_PORT": "587", "MAIL_USE_TLS": "true", "MAIL_USERNAME": "bot", "MAIL_PASSWORD": " pass word ",
            ])
        )
        #expect(startTLS.smtp.port == 587 && startTLS.smtp.security == .startTLS)
        #expect(startTLS.smtp.credentials == SMTPCredentials(username: "bot", password: " pass word "))
        #expect(try Self.mail(["MAIL_USE_SSL": "1"])?.smtp.security == .implicitTLS)
    }

    @Test func mistakesNameTheirVariableAndNeverThePassword() throws {
        #expect(Self.problem(["MAIL_USE_TLS": "true", "MAIL_USE_SSL": "true"])?.variable == "MAIL_USE_SSL")
        #expect(Self.problem(["MAIL_PORT": "0"])?.variable == "MAIL_PORT")
        #expect(Self.problem(["MAIL_USE_TLS": "maybe"])?.variable == "MAIL_USE_TLS")
        #expect(Self.problem(["MAIL_USERNAME": "bot"])?.variable == "MAIL_PASSWORD")
        let lonePassword = Self.problem(["MAIL_PASSWORD": "s3cret-pw"])
        #expect(lonePassword?.variable == "MAIL_USERNAME" && lonePassword?.description.contains("s3cret") == false)
        #expect(Self.problem([:], base: ["MAIL_SERVER": "smtp.example.com"])?.variable == "MAIL_DEFAULT_SENDER")
        #expect(
            Self.problem(["MAIL_DEFAULT_SENDER": "Bot <bot@example.com\r\nBcc: x@y.z>"])?.variable
                == "MAIL_DEFAULT_SENDER"
        )
        #expect(Self.problem(["MAIL_SERVER": "smtp example.com"])?.variable == "MAIL_SERVER")
        #expect(Self.problem(["MAIL_CA_FILE": "/nonexistent/ca.pem"])?.variable == "MAIL_CA_FILE")
    }
}
