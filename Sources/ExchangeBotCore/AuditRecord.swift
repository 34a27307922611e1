import Foundation

/// One audit log row as the audit view reads it back (`GET /admin/audit`, the admin group's `/audit`).
///
/// The log records who acted (`actor`, their user id and Telegram id as the caller carried them), not the key's
/// owner; ``ownerID`` is read beside it. Nothing here is a secret: rows never hold one (see ``AuditEntry``).
public struct AuditRecord: Sendable, Equatable {
    /// The row's id: increasing, so newest first is highest id first.
    public var id: Int64
    public var at: Date
    /// The stored action (an ``AuditAction`` raw value; kept as text so a row written by a newer version reads).
    public var action: String
    /// The stored outcome (an ``AuditOutcome`` raw value).
    public var outcome: String
    public var keyID: Int64?
    /// The user the row concerns: the key's owner while the key exists; for a row about no key (a link code, a
    /// link), the account the row records. `nil` once the key is deleted: the log does not keep its owner.
    public var ownerID: Int64?
    /// How the log names who acted (`@alice`, `user 7`, `command line`, `system`).
    public var actorName: String
    public var actorUserID: Int64?
    public var actorTelegramID: Int64?
    public var detail: String?

    public init(
        id: Int64,
        at: Date,
        action: String,
        outcome: String,
        keyID: Int64?,
        ownerID: Int64?,
        actorName: String,
        actorUserID: Int64?,
        actorTelegramID: Int64?,
        detail: String?
    ) {
        self.id = id
        self.at = at
        self.action = action
        self.outcome = outcome
        self.keyID = keyID
        self.ownerID = ownerID
        self.actorName = actorName
        self.actorUserID = actorUserID
        self.actorTelegramID = actorTelegramID
        self.detail = detail
    }

    /// Where the action came from, read from the actor's form (see ``AuditChannel/init(actorName:userID:telegramID:)``).
    public var channel: AuditChannel {
        AuditChannel(actorName: actorName, userID: actorUserID, telegramID: actorTelegramID)
    }
}

/// Where an audited action came from.
///
/// The log has no channel column; each channel writes its callers in its own form, which tells them apart: the bot
/// always records the Telegram id of whoever acted, the REST API the token's user id and never a Telegram id, the
/// command line the name ``commandLineActor``, and the service itself ``Caller/system`` (no ids).
public enum AuditChannel: String, Sendable, CaseIterable {
    case rest, telegram, cli, system

    /// How the command line is named in the log (its ``Caller``'s display name).
    public static let commandLineActor = "command line"

    public init(actorName: String, userID: Int64?, telegramID: Int64?) {
        if telegramID != nil {
            self = .telegram
        } else if userID != nil {
            self = .rest
        } else if actorName == Self.commandLineActor {
            self = .cli
        } else {
            self = .system
        }
    }
}
