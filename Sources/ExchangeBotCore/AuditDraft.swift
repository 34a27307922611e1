/// The parts of an audit entry known before the action runs.
struct AuditDraft {
    let action: AuditAction
    let caller: Caller
    var keyID: Int64?
    let clock: any WallClock

    init(action: AuditAction, caller: Caller, keyID: Int64? = nil, clock: any WallClock) {
        self.action = action
        self.caller = caller
        self.keyID = keyID
        self.clock = clock
    }

    func entry(_ outcome: AuditOutcome, detail: String? = nil) -> AuditEntry {
        AuditEntry(
            at: clock.now(),
            caller: caller,
            action: action,
            keyID: keyID,
            outcome: outcome,
            detail: detail
        )
    }
}
