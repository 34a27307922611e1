import Foundation

/// Linking a Telegram account to a platform user with a one-time code: issuing codes (command line, REST),
/// showing whom a code names, linking and unlinking (the bot, REST). The rules live here; the store enforces that
/// a code is single use and unexpired in the same transaction that uses it.
///
/// Every issue, link and unlink leaves an audit line under the caller who asked.
public struct AccountLinking: Sendable {
    /// `LINK_CODE_TTL`'s default: ten minutes.
    public static let defaultCodeLifetime: TimeInterval = 600

    let links: any AccountLinkStore
    let users: any ExchangeStore
    let codes: any LinkCodeMaker
    let clock: any WallClock
    let codeLifetime: TimeInterval
    /// Set when mail is configured: a link or unlink queues the user's email notice, then calls this (to wake the
    /// mail sender, which would otherwise find the notice at its next poll).
    let mailQueued: (@Sendable () -> Void)?

    /// - Parameters:
    ///   - users: Where users are read and refusals audited.
    ///   - codeLifetime: How long an issued code stays valid (`LINK_CODE_TTL`).
    ///   - mailQueued: Mail is configured: a link or unlink queues the user's email notice, then calls it.
    public init(
        links: any AccountLinkStore,
        users: any ExchangeStore,
        codes: any LinkCodeMaker,
        clock: any WallClock = SystemClock(),
        codeLifetime: TimeInterval = defaultCodeLifetime,
        mailQueued: (@Sendable () -> Void)? = nil
    ) {
        self.links = links
        self.users = users
        self.codes = codes
        self.clock = clock
        self.codeLifetime = codeLifetime
        self.mailQueued = mailQueued
    }

    /// The deep link that opens a code in the bot: `https://t.me/<bot>?start=<code>`.
    public static func deepLink(botUsername: String, code: String) -> String {
        "https://t.me/\(botUsername)?start=\(code)"
    }

    /// A code issued for a user: the code (shown once, never stored) and when it stops working.
    public struct IssuedCode: Sendable, Equatable {
        public var code: String
        public var expiresAt: Date

        public init(code: String, expiresAt: Date) {
            self.code = code
            self.expiresAt = expiresAt
        }
    }

    /// Issues a one-time code for `userID`, who must exist and be active.
    public func issue(for userID: Int64, by caller: Caller) async throws(ApprovalError) -> IssuedCode {
        let now = clock.now()
        let audit = AuditDraft(action: .issueLinkCode, caller: caller, clock: clock)
        do {
            guard let user = try await users.user(id: userID) else { throw ApprovalError.userNotFound }
            guard user.isActive else { throw ApprovalError.userInactive }
            let (code, hash) = codes.generate()
            let expiresAt = now.addingTimeInterval(codeLifetime)
            try await links.storeLinkCode(
                hash: hash,
                userID: userID,
                expiresAt: expiresAt,
                audit: audit.entry(.succeeded, detail: "user \(userID)")
            )
            return IssuedCode(code: code, expiresAt: expiresAt)
        } catch {
            throw await refuse(error, audit)
        }
    }

    /// The hash of a code someone sent, or `nil` when it cannot be a code.
    public func codeHash(_ text: String) -> Data? {
        codes.hash(ofCode: text)
    }

    /// Voids a code that was shown where others could read it (a group): whoever saw it must not be able to link
    /// their Telegram account to its user. Anything that is not a code is ignored.
    public func voidExposedCode(_ text: String) async throws {
        guard let hash = codeHash(text) else { return }
        _ = try await links.voidLinkCode(hash: hash, at: clock.now())
    }

    /// The active user an unused, unexpired code names, without using the code: whom the confirmation names.
    public func user(forCode hash: Data) async throws -> User? {
        try await links.linkCodeUser(hash: hash, at: clock.now())
    }

    /// Links `telegramID` to the user the code names (see ``AccountLinkStore/link(telegramID:telegramUsername:codeHash:mailNotice:audit:)``);
    /// a refusal is audited too.
    public func link(telegramID: Int64, telegramUsername: String?, codeHash: Data, by caller: Caller) async throws
        -> LinkOutcome
    {
        let audit = AuditDraft(action: .linkTelegram, caller: caller, clock: clock)
        let outcome = try await links.link(
            telegramID: telegramID,
            telegramUsername: telegramUsername,
            codeHash: codeHash,
            mailNotice: mailQueued != nil,
            audit: audit.entry(.succeeded, detail: "telegram \(telegramID)")
        )
        switch outcome {
        case .linked: mailQueued?()
        case .refused(let refusal): try? await users.recordAudit(audit.entry(.refused, detail: refusal.rawValue))
        }
        return outcome
    }

    /// Removes a bot-made link, from the chat (`.telegram`) or over REST (`.user`). `repeating`: this repeats an
    /// unlink whose first run may have taken effect (handled again after a crash); "not linked" is then most likely
    /// that first run's doing, whose unlink is in the audit log already, so it is not audited as a refusal.
    public func unlink(_ subject: LinkSubject, by caller: Caller, repeating: Bool = false) async throws
        -> UnlinkOutcome
    {
        let audit = AuditDraft(action: .unlinkTelegram, caller: caller, clock: clock)
        let outcome = try await links.unlink(subject, mailNotice: mailQueued != nil, audit: audit.entry(.succeeded))
        switch outcome {
        case .unlinked: mailQueued?()
        case .notLinked where repeating: break
        case .notLinked: try? await users.recordAudit(audit.entry(.refused, detail: "not_linked"))
        case .platformLink: try? await users.recordAudit(audit.entry(.refused, detail: "platform_link"))
        }
        return outcome
    }

    /// The Telegram account linked to `userID`, by the bot or by the platform.
    public func telegramLink(ofUser userID: Int64) async throws -> TelegramLink? {
        try await links.telegramLink(ofUser: userID)
    }

    private func refuse(_ error: any Error, _ audit: AuditDraft) async -> ApprovalError {
        let approvalError = (error as? ApprovalError) ?? .storageFailure
        let outcome: AuditOutcome = approvalError == .storageFailure ? .failed : .refused
        try? await users.recordAudit(audit.entry(outcome, detail: approvalError.code))
        return approvalError
    }
}
