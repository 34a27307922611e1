import EmailNotifications
import ExchangeBotCore
import Logging
import SMTPClient

extension Runtime {
    /// How each leader term builds its mail sender (see ``SingletonJobs``): one SMTP client for the process, a new
    /// sender per term, woken by that term's signal.
    static func mailSenderFactory(
        _ mail: MailSettings,
        outbox: any MailOutbox,
        texts: MailTexts,
        logger: Logger
    ) throws(ConfigurationError) -> @Sendable (WakeSignal) -> MailSender {
        let client: SMTPClient
        do {
            client = try SMTPClient(settings: mail.smtp, logger: Logger(label: "exchange-bot.smtp"))
        } catch {
            throw ConfigurationError("MAIL_CA_FILE", error.description)
        }
        logger.info(
            "email notifications enabled",
            metadata: ["mail.server": "\(mail.smtp.host):\(mail.smtp.port)", "mail.security": "\(mail.smtp.security)"]
        )
        return { signal in
            MailSender(
                outbox: outbox,
                transport: client,
                sender: mail.sender,
                texts: texts,
                signal: signal,
                logger: Logger(label: "exchange-bot.mail")
            )
        }
    }
}
