import ExchangeBotCore
import Foundation

/// What a link's key move compares and what its audit line says, shared by both engines' stores.
public enum LinkAudit {
    /// A key as the duplicate rule sees it: its exchange (aliases folded) and its API key in clear.
    public struct KeyIdentity: Equatable, Sendable {
        public var exchange: String
        public var apiKey: String

        public init(exchange: String, apiKey: String) {
            self.exchange =
                ExchangeID(normalizing: exchange)?.rawValue
                ?? exchange.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            self.apiKey = apiKey
        }
    }

    /// The `detail` of a link's audit row: counts and ids only.
    public static func detail(moved: Int, dropped: Int, retiredUserID: Int64?, replacedTelegramID: Int64?) -> String {
        var parts = ["moved=\(moved)", "dropped=\(dropped)"]
        if let retiredUserID { parts.append("retired_user=\(retiredUserID)") }
        if let replacedTelegramID { parts.append("replaced_telegram=\(replacedTelegramID)") }
        return parts.joined(separator: " ")
    }
}
