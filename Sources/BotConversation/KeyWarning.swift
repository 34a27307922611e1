import ExchangeBotCore

/// What the user should know about a key that passed its check and waits for approval: the same facts the admins
/// see on the request, said to the person who can fix them on the exchange. The raw value is the locale key.
public enum KeyWarning: String, Sendable, Equatable, CaseIterable {
    /// The exchange says the key is not bound to an IP allow-list.
    case noIPWhitelist = "add.warning_no_ip"
    /// The exchange does not say whether the key can withdraw.
    case withdrawalUnknown = "add.warning_withdrawal_unknown"

    /// The warnings a report carries; an exchange that does not say whether the key is IP-bound gets none for it.
    public static func of(_ report: ValidationReport) -> [KeyWarning] {
        var warnings = [KeyWarning]()
        if report.ipRestricted == false { warnings.append(.noIPWhitelist) }
        if report.withdrawalRightIsUnknown { warnings.append(.withdrawalUnknown) }
        return warnings
    }
}
