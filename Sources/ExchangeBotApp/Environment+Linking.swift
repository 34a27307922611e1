import ExchangeBotCore
import Foundation
import TelegramBot

/// The settings of linking Telegram accounts to platform users: `TELEGRAM_SIGNUP`, `LINK_CODE_TTL`,
/// `TELEGRAM_BOT_USERNAME`.
extension Environment {
    /// The longest `LINK_CODE_TTL`: a day. A code is a bearer credential for linking; it should not live long.
    public static let maxLinkCodeLifetime = 86_400

    /// `TELEGRAM_SIGNUP`: `open` (the default: anyone who writes to the bot gets an account of its making) or
    /// `linked` (only Telegram accounts linked to a user may add keys).
    public func telegramSignup() throws(ConfigurationError) -> TelegramSignup {
        let text = (self["TELEGRAM_SIGNUP"] ?? TelegramSignup.open.rawValue).lowercased()
        guard let signup = TelegramSignup(rawValue: text) else {
            throw ConfigurationError("TELEGRAM_SIGNUP", "must be open or linked")
        }
        return signup
    }

    /// `LINK_CODE_TTL`: seconds a link code stays valid (default 600).
    public func linkCodeLifetime() throws(ConfigurationError) -> Int {
        try integer(
            "LINK_CODE_TTL",
            default: Int(AccountLinking.defaultCodeLifetime),
            range: 1...Self.maxLinkCodeLifetime
        )
    }

    /// `TELEGRAM_BOT_USERNAME`: the bot's `@username` for `https://t.me/<bot>?start=<code>` links where the bot's
    /// own `getMe` is not at hand (the command line, or the REST API without the bot); a leading `@` is dropped.
    public func telegramBotUsername() throws(ConfigurationError) -> String? {
        guard var name = self["TELEGRAM_BOT_USERNAME"] else { return nil }
        if name.hasPrefix("@") { name.removeFirst() }
        guard (5...32).contains(name.utf8.count), name.utf8.allSatisfy(Self.isUsernameByte) else {
            throw ConfigurationError(
                "TELEGRAM_BOT_USERNAME",
                "must be a Telegram username: 5 to 32 letters, digits or underscores (a leading @ is allowed)"
            )
        }
        return name
    }

    private static func isUsernameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
            true
        default: false
        }
    }
}
