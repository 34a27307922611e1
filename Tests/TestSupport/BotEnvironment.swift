import ExchangeBotCore
import Fernet
import Foundation

/// The environment `exchange-bot run` reads to run its bot against the fakes: one place for the variable names,
/// shared by the in-process tests, the crash tests of the real binary and the Telegram benchmark.
public enum BotEnvironment {
    /// Health checks are off (nothing but the work under test runs); `database` is an absolute path to an SQLite
    /// file, or a `DATABASE_URL` (a PostgreSQL one, say).
    public static func values(
        masterKey: FernetKey,
        database: String,
        telegram: FakeTelegramServer,
        adminChatID: Int64,
        adminUserIDs: [Int64] = [],
        exchanges: [ExchangeID: URL] = [:],
        logLevel: String = "error"
    ) -> [String: String] {
        var values = [
            "BRAIN_CAPITAL_MASTER_KEY": masterKey.base64,
            "DATABASE_URL": database.contains("://") ? database : "sqlite:///" + database,
            "TELEGRAM_BOT_TOKEN": telegram.token,
            "TELEGRAM_API_URL": telegram.baseURL.absoluteString,
            "ADMIN_CHAT_ID": String(adminChatID),
            "ADMIN_USER_IDS": adminUserIDs.map(String.init).joined(separator: ","),
            "HEALTH_CHECK_INTERVAL": "0",
            "LOG_LEVEL": logLevel,
            // The HTTP listener runs beside every bot: on a free port, so runs side by side never collide.
            "API_PORT": "0",
        ]
        for (id, origin) in exchanges {
            values["EXCHANGE_\(id.rawValue.uppercased())_URL"] = origin.absoluteString
        }
        return values
    }
}
