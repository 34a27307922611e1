import ExchangeBotCore
import Fernet
import GRDB

/// Checks at start-up that the configured master keys open the stored secrets.
public enum MasterKeyCheck {
    /// Shared with the PostgreSQL check, so the command line reads one report for both engines.
    public typealias Report = MasterKeyCheckReport

    /// Opens the stored tokens with the ring.
    ///
    /// - Parameter stoppingAtFirstReadable: stop counting at the first token a key opens. The report then counts
    ///   only the tokens looked at, but ``Report/wrongKey`` is exact: it needs every token only when none opens.
    ///   `rotate-key` uses it, since rotation opens every token again anyway.
    public static func run(_ database: AppDatabase, ring: MultiFernet, stoppingAtFirstReadable: Bool = false) throws
        -> Report
    {
        try database.writer.read { db in
            var report = Report(tokens: 0, openedByPrimary: 0, openedByOlderKeys: 0, unreadable: 0)
            func count(_ token: String) -> Bool {
                report.tokens += 1
                switch ring.keyIndex(opening: token) {
                case 0: report.openedByPrimary += 1
                case .some: report.openedByOlderKeys += 1
                case nil: report.unreadable += 1
                }
                return stoppingAtFirstReadable && report.unreadable < report.tokens
            }
            let secrets = try String.fetchCursor(
                db,
                sql: """
                    SELECT api_secret FROM user_exchanges
                    UNION ALL SELECT passphrase FROM user_exchanges WHERE passphrase IS NOT NULL
                    """
            )
            while let token = try secrets.next() {
                if count(token) { return report }
            }
            let apiKeys = try String.fetchCursor(db, sql: "SELECT api_key FROM user_exchanges")
            while let apiKey = try apiKeys.next() {
                if FernetShape.isToken(apiKey), count(apiKey) { return report }
            }
            for row in try BotTokens.fetch(db) where count(row.token) {
                return report
            }
            return report
        }
    }
}
