/// What to do with a key whose withdrawal right the exchange does not report (`UNKNOWN_WITHDRAW_POLICY`).
public enum UnknownWithdrawPolicy: String, Sendable, CaseIterable {
    /// Accept it with a warning that admins see on the request.
    case warn
    /// Refuse it (``ExchangeBotCore/CredentialError/withdrawalUnknown``).
    case refuse
}
