import ExchangeBotCore
import Foundation

/// The Telegram bot's settings (`TELEGRAM_*`, `ADMIN_*`).
public struct TelegramSettings: Sendable, Equatable {
    public var botToken: SecretString
    public var apiURL: URL
    public var adminChatID: Int64
    public var adminUserIDs: Set<Int64>
    /// `BOT_INBOUND_LIMIT`: updates one Telegram user may send before the bot goes quiet for them.
    public var inboundLimit: RateLimit
}

/// The REST API's settings (`SECRET_KEY`, `API_*`, `TOKEN_MAX_AGE`).
public struct RESTSettings: Sendable, Equatable {
    public var secretKey: SecretString
    public var host: String
    public var port: Int
    public var rateLimit: RateLimit
    public var tokenMaxAge: Int64
}

/// How exchanges are reached (`EXCHANGE_*`, `ALLOW_WITHDRAW_KEYS`).
public struct ExchangeSettings: Sendable, Equatable {
    public var originOverrides: [ExchangeID: URL]
    public var sandbox: Bool
    public var timeoutSeconds: Int
    public var allowWithdrawKeys: Bool
}

/// A request budget such as `60/minute`.
public struct RateLimit: Sendable, Equatable {
    public var requests: Int
    public var perSeconds: Int

    public init(requests: Int, perSeconds: Int) {
        self.requests = requests
        self.perSeconds = perSeconds
    }

    /// Parses `N/second`, `N/minute` or `N/hour` (also `N/s`, `N/m`, `N/h`).
    public init?(_ text: String) {
        let parts = text.lowercased().split(separator: "/").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let count = Int(parts[0]), count > 0 else { return nil }
        switch parts[1] {
        case "second", "s", "sec": perSeconds = 1
        case "minute", "m", "min": perSeconds = 60
        case "hour", "h": perSeconds = 3600
        default: return nil
        }
        requests = count
    }
}

/// The `LOG_LEVEL` names.
public enum LogLevelName: String, CaseIterable, Sendable {
    case trace, debug, info, notice, warning, error, critical
}
