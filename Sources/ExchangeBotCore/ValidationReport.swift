import Foundation

/// What checking a key against its exchange found: shown to the admin who decides, kept for health checks.
public struct ValidationReport: Sendable, Equatable, Codable {
    /// Whether the key may place orders; `nil` where the exchange does not say.
    public var canTrade: Bool?
    /// Whether the key may withdraw funds; `nil` where the exchange does not say.
    public var canWithdraw: Bool?
    /// Set by the acceptance policy when the exchange does not say whether this key can withdraw (the key was
    /// accepted under `UNKNOWN_WITHDRAW_POLICY=warn`); admins see it on the request. `nil` in reports stored
    /// before the policy said so: read ``withdrawalRightIsUnknown``.
    public var withdrawalRightUnknown: Bool?
    /// Whether the key is restricted to an IP allow-list; `nil` where the exchange does not say.
    public var ipRestricted: Bool?
    /// The account type where the exchange reports one (e.g. "UNIFIED", "SPOT").
    public var accountType: String?
    /// The exchange's own names of the permissions found, for the admin to read.
    public var permissions: [String]
    /// Things the user and the admin should know, such as a key with no IP restriction.
    public var warnings: [String]
    public var checkedAt: Date?

    public init(
        canTrade: Bool? = nil,
        canWithdraw: Bool? = nil,
        ipRestricted: Bool? = nil,
        accountType: String? = nil,
        permissions: [String] = [],
        warnings: [String] = [],
        checkedAt: Date? = nil
    ) {
        self.canTrade = canTrade
        self.canWithdraw = canWithdraw
        self.ipRestricted = ipRestricted
        self.accountType = accountType
        self.permissions = permissions
        self.warnings = warnings
        self.checkedAt = checkedAt
    }

    /// Whether no one knows if the key can withdraw (an exchange that does not report it, or reports it only for
    /// the account).
    public var withdrawalRightIsUnknown: Bool { withdrawalRightUnknown ?? (canWithdraw == nil) }
}
