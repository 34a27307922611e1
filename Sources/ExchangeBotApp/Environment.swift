import ExchangeBotCore
import ExchangeBotStorage
import ExchangeKeyCheck
import Fernet
import Foundation
import PostgresStorage
import RESTServer

/// Typed, checked reads of the process environment (the variables of DESIGN.md).
///
/// Each accessor reads one variable, applies its default, and throws a ``ConfigurationError`` naming the
/// variable when the value is unusable. Commands read only what they need: `migrate` needs no master key, `token`
/// needs only `SECRET_KEY`.
public struct Environment: Sendable {
    public let values: [String: String]
    public let workingDirectory: String

    public init(
        _ values: [String: String] = ProcessInfo.processInfo.environment,
        workingDirectory: String = FileManager.default.currentDirectoryPath
    ) {
        self.values = values
        self.workingDirectory = workingDirectory
    }

    /// A variable's value, `nil` when unset or blank.
    public subscript(_ name: String) -> String? {
        guard let value = values[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
            return nil
        }
        return value
    }

    // MARK: - Core

    public static let masterKeyVariable = "BRAIN_CAPITAL_MASTER_KEY"

    /// The master key ring: the first key encrypts, all decrypt.
    public func masterKeys() throws(ConfigurationError) -> MultiFernet {
        guard let text = self[Self.masterKeyVariable] else {
            throw ConfigurationError(
                Self.masterKeyVariable,
                "is not set; generate one with `exchange-bot generate-key` (keep the one the Python side uses, "
                    + "if any)"
            )
        }
        do {
            return try MultiFernet(commaSeparated: text)
        } catch {
            throw ConfigurationError(
                Self.masterKeyVariable,
                "is malformed: each comma-separated key must be 32 url-safe base64-encoded bytes (44 characters)"
            )
        }
    }

    /// The database `DATABASE_URL` names: an SQLite file (the default) or a PostgreSQL server.
    public func database() throws(ConfigurationError) -> DatabaseTarget {
        let url = self["DATABASE_URL"] ?? DatabaseLocation.defaultURL
        if PostgresURL.isPostgres(url) {
            do {
                return .postgres(try PostgresURL(url))
            } catch {
                throw ConfigurationError("DATABASE_URL", error.description)
            }
        }
        guard url.lowercased().hasPrefix("sqlite:") else {
            throw ConfigurationError(
                "DATABASE_URL",
                "must be sqlite:///path (the default, \(DatabaseLocation.defaultURL)) or postgresql://user:password@host:port/dbname"
            )
        }
        return .sqlite(try databaseLocation())
    }

    /// The SQLite file `DATABASE_URL` names (see ``database()`` for either engine).
    public func databaseLocation() throws(ConfigurationError) -> DatabaseLocation {
        let url = self["DATABASE_URL"] ?? DatabaseLocation.defaultURL
        do {
            return try DatabaseLocation(url: url, workingDirectory: workingDirectory)
        } catch {
            throw ConfigurationError("DATABASE_URL", error.description)
        }
    }

    public func logLevel() throws(ConfigurationError) -> LogLevelName {
        let text = (self["LOG_LEVEL"] ?? "info").lowercased()
        guard let level = LogLevelName(rawValue: text) else {
            throw ConfigurationError(
                "LOG_LEVEL",
                "must be one of " + LogLevelName.allCases.map(\.rawValue).joined(separator: ", ")
            )
        }
        return level
    }

    // MARK: - Telegram

    /// The bot's settings, or `nil` when `TELEGRAM_BOT_TOKEN` is unset (no bot).
    public func telegram() throws(ConfigurationError) -> TelegramSettings? {
        guard let token = self["TELEGRAM_BOT_TOKEN"] else { return nil }
        guard token.utf8.count <= 100, token.contains(":"), !token.contains(where: { $0.isWhitespace || $0 == "/" })
        else {
            throw ConfigurationError("TELEGRAM_BOT_TOKEN", "is malformed (expected the form 123456:ABC-DEF…)")
        }
        let apiURL = try url("TELEGRAM_API_URL", default: "https://api.telegram.org")
        guard let chatText = self["ADMIN_CHAT_ID"] else {
            throw ConfigurationError("ADMIN_CHAT_ID", "is required with TELEGRAM_BOT_TOKEN: the admin group's chat id")
        }
        guard let adminChatID = Int64(chatText) else {
            throw ConfigurationError("ADMIN_CHAT_ID", "must be a chat id (an integer such as -1001234567890)")
        }
        var adminUserIDs = Set<Int64>()
        for part in (self["ADMIN_USER_IDS"] ?? "").split(separator: ",") {
            let text = part.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { continue }
            guard let id = Int64(text) else {
                throw ConfigurationError("ADMIN_USER_IDS", "must be a comma-separated list of Telegram user ids")
            }
            adminUserIDs.insert(id)
        }
        let inboundText = self["BOT_INBOUND_LIMIT"] ?? "20/minute"
        guard let inboundLimit = RateLimit(inboundText) else {
            throw ConfigurationError("BOT_INBOUND_LIMIT", "must look like 20/minute (N/second, N/minute or N/hour)")
        }
        return TelegramSettings(
            botToken: SecretString(token),
            apiURL: apiURL,
            adminChatID: adminChatID,
            adminUserIDs: adminUserIDs,
            inboundLimit: inboundLimit
        )
    }

    // MARK: - REST API

    /// The REST API's settings, or `nil` when `SECRET_KEY` is unset (no REST API).
    public func rest() throws(ConfigurationError) -> RESTSettings? {
        guard let secretKey = self["SECRET_KEY"] else { return nil }
        let host = self["API_HOST"] ?? "127.0.0.1"
        let port = try integer("API_PORT", default: 8000, range: 0...65535)
        let rateText = self["API_RATE_LIMIT"] ?? "60/minute"
        guard let rateLimit = RateLimit(rateText) else {
            throw ConfigurationError("API_RATE_LIMIT", "must look like 60/minute (N/second, N/minute or N/hour)")
        }
        return RESTSettings(
            secretKey: SecretString(secretKey),
            host: host,
            port: port,
            rateLimit: rateLimit,
            tokenMaxAge: Int64(try integer("TOKEN_MAX_AGE", default: 3600, range: 1...(366 * 86400)))
        )
    }

    /// `TRUSTED_PROXIES`: comma-separated CIDRs (IPv4 or IPv6; a bare address is one host) whose
    /// `X-Forwarded-For` / `X-Real-IP` the REST API believes. Empty (the default) trusts nobody.
    public func trustedProxies() throws(ConfigurationError) -> [IPAddressRange] {
        switch IPAddressRange.list(self["TRUSTED_PROXIES"] ?? "") {
        case .success(let ranges): return ranges
        case .failure(let invalid):
            throw ConfigurationError(
                "TRUSTED_PROXIES",
                "has \"\(invalid.text)\", which is not a CIDR such as 10.0.0.0/8, 192.0.2.7 or fd00::/8"
            )
        }
    }

    /// `SECRET_KEY` alone, for minting tokens.
    public func secretKey() throws(ConfigurationError) -> SecretString {
        guard let key = self["SECRET_KEY"] else {
            throw ConfigurationError("SECRET_KEY", "is not set: it is the HMAC key of the REST bearer tokens")
        }
        return SecretString(key)
    }

    public func tokenMaxAge() throws(ConfigurationError) -> Int64 {
        Int64(try integer("TOKEN_MAX_AGE", default: 3600, range: 1...(366 * 86400)))
    }

    // MARK: - Exchanges and health

    public func exchanges() throws(ConfigurationError) -> ExchangeSettings {
        var origins = [ExchangeID: URL]()
        for exchange in ExchangeID.allCases {
            let name = "EXCHANGE_\(exchange.rawValue.uppercased())_URL"
            if self[name] != nil {
                origins[exchange] = try url(name, default: "")
            }
        }
        let timeout = try integer("EXCHANGE_TIMEOUT", default: 10, range: 1...300)
        return ExchangeSettings(
            originOverrides: origins,
            sandbox: try boolean("EXCHANGE_SANDBOX", default: false),
            timeoutSeconds: timeout,
            allowWithdrawKeys: try boolean("ALLOW_WITHDRAW_KEYS", default: false)
        )
    }

    /// `UNKNOWN_WITHDRAW_POLICY`: refuse keys whose withdrawal right the exchange does not report, or accept them
    /// with a warning (the default).
    public func unknownWithdrawPolicy() throws(ConfigurationError) -> UnknownWithdrawPolicy {
        let text = (self["UNKNOWN_WITHDRAW_POLICY"] ?? "warn").lowercased()
        guard let policy = UnknownWithdrawPolicy(rawValue: text) else {
            throw ConfigurationError("UNKNOWN_WITHDRAW_POLICY", "must be warn or refuse")
        }
        return policy
    }

    /// `API_KEY_SUBMIT_LIMIT`: key checks one user may start, over REST and in the bot together.
    public func keyCheckBudget() throws(ConfigurationError) -> KeyCheckBudget {
        let text = self["API_KEY_SUBMIT_LIMIT"] ?? "10/hour"
        guard let limit = RateLimit(text) else {
            throw ConfigurationError("API_KEY_SUBMIT_LIMIT", "must look like 10/hour (N/second, N/minute or N/hour)")
        }
        return KeyCheckBudget(checks: limit.requests, window: TimeInterval(limit.perSeconds))
    }

    /// `OUTBOX_RETENTION_DAYS`: days delivered notifications are kept before they are pruned.
    public func outboxRetentionDays() throws(ConfigurationError) -> Int {
        try integer("OUTBOX_RETENTION_DAYS", default: 30, range: 1...3650)
    }

    /// Seconds between health checks of approved keys; `nil` when `HEALTH_CHECK_INTERVAL=0` turns them off.
    public func healthCheckInterval() throws(ConfigurationError) -> Int? {
        let seconds = try integer("HEALTH_CHECK_INTERVAL", default: 3600, range: 0...(30 * 86400))
        return seconds == 0 ? nil : seconds
    }

    // MARK: - Primitive readers

    func integer(_ name: String, default defaultValue: Int, range: ClosedRange<Int>) throws(ConfigurationError)
        -> Int
    {
        guard let text = self[name] else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError(name, "must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    func boolean(_ name: String, default defaultValue: Bool) throws(ConfigurationError) -> Bool {
        guard let text = self[name]?.lowercased() else { return defaultValue }
        switch text {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError(name, "must be true or false")
        }
    }

    func url(_ name: String, default defaultValue: String) throws(ConfigurationError) -> URL {
        let text = self[name] ?? defaultValue
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            url.host != nil
        else {
            throw ConfigurationError(name, "must be an http(s) URL such as https://example.com")
        }
        // Plain HTTP would carry the bot token (in the path) or exchange keys (in headers) in clear text.
        if scheme == "http", !LoopbackHost.contains(url.host ?? ""), try !allowsInsecureURLs() {
            throw ConfigurationError(
                name,
                "uses plain http:// to a host other than this machine; use https://, or set ALLOW_INSECURE_URLS=true"
            )
        }
        return url
    }

    /// `ALLOW_INSECURE_URLS`: plain `http://` Telegram and exchange URLs to hosts other than loopback.
    public func allowsInsecureURLs() throws(ConfigurationError) -> Bool {
        try boolean("ALLOW_INSECURE_URLS", default: false)
    }
}
