import ExchangeBotCore
import Foundation
import GRDB
import SealedRecords

/// Links between Telegram accounts and users on SQLite (`bot_telegram_accounts`, `bot_link_codes`). The rules are
/// ``AccountLinkStore``'s; each call is one write transaction, which SQLite's single writer serialises.
///
/// The account the bot made for a Telegram user on first contact is that user's own, not a link: `unlink` answers
/// `.notLinked` for it, and linking the Telegram account to a platform user retires it. A user the platform deletes
/// loses its link (`ON DELETE SET NULL`); the row stays for the Telegram account's language.
extension SQLiteExchangeStore: AccountLinkStore {
    public func link(
        telegramID: Int64,
        telegramUsername: String?,
        codeHash: Data,
        mailNotice: Bool,
        audit: AuditEntry
    ) async throws -> LinkOutcome {
        try await writer.write { db in
            guard let userID = try self.usableCode(db, hash: codeHash, at: audit.at) else {
                // The same press handled again after a crash that came between this commit and the bot's: the code
                // was used by this very Telegram account for the link that stands, so the answer is that link.
                if let userID = try Int64.fetchOne(
                    db,
                    sql: """
                        SELECT c.user_id FROM bot_link_codes c JOIN bot_telegram_accounts t
                            ON t.telegram_id = c.used_by_telegram_id AND t.user_id = c.user_id
                        WHERE c.code_hash = ? AND c.used_by_telegram_id = ?
                        """,
                    arguments: [codeHash, telegramID]
                ), let user = try self.users.fetch(db, id: userID) {
                    return .linked(
                        user: user,
                        movedKeys: 0,
                        droppedKeys: 0,
                        retiredUserID: nil,
                        replacedTelegramID: nil
                    )
                }
                return .refused(.invalidCode)
            }
            guard let user = try self.users.fetch(db, id: userID), user.isActive else { return .refused(.userInactive) }
            if let platformLink = self.users.platformLinkOfTelegram,
                let owner = try Int64.fetchOne(db, sql: platformLink, arguments: ["telegram": telegramID]),
                owner != userID
            {
                return .refused(.platformLinkedElsewhere)
            }
            let current = try Row.fetchOne(
                db,
                sql: "SELECT user_id, made_by_bot FROM bot_telegram_accounts WHERE telegram_id = ?",
                arguments: [telegramID]
            )
            let linkedTo: Int64? = current?["user_id"]
            let madeByBot = (current?["made_by_bot"] as Bool?) ?? false
            if let linkedTo, linkedTo != userID, !madeByBot { return .refused(.linkedToAnotherUser) }
            let stamp = DatabaseDate.format(audit.at)
            try db.execute(
                sql: "UPDATE bot_link_codes SET used_at = ?, used_by_telegram_id = ? WHERE code_hash = ?",
                arguments: [stamp, telegramID, codeHash]
            )
            let replaced = try Int64.fetchOne(
                db,
                sql: "SELECT telegram_id FROM bot_telegram_accounts WHERE user_id = ? AND telegram_id != ?",
                arguments: [userID, telegramID]
            )
            if let replaced {
                try db.execute(
                    sql: "UPDATE bot_telegram_accounts SET user_id = NULL, linked_at = NULL WHERE telegram_id = ?",
                    arguments: [replaced]
                )
            }
            let retired = madeByBot ? linkedTo.flatMap { $0 == userID ? nil : $0 } : nil
            try db.execute(
                sql: """
                    INSERT INTO bot_telegram_accounts (telegram_id, user_id, telegram_username, made_by_bot, linked_at)
                    VALUES (?, ?, ?, 0, ?)
                    ON CONFLICT(telegram_id) DO UPDATE SET user_id = excluded.user_id, made_by_bot = 0,
                        telegram_username = coalesce(excluded.telegram_username, bot_telegram_accounts.telegram_username),
                        linked_at = excluded.linked_at
                    """,
                arguments: [telegramID, userID, telegramUsername, stamp]
            )
            var moved = (keys: 0, dropped: 0)
            if let retired {
                moved = try self.moveKeys(db, from: retired, to: userID, audit: audit)
                try db.execute(sql: self.users.retireBotUser, arguments: [retired])
            }
            var entry = audit
            entry.detail = LinkAudit.detail(
                moved: moved.keys,
                dropped: moved.dropped,
                retiredUserID: retired,
                replacedTelegramID: replaced
            )
            try AuditLog.insert(db, entry)
            if mailNotice {
                try self.queueMail(
                    db,
                    .telegramLinked(telegramUsername: telegramUsername),
                    toUser: userID,
                    dedupeKey: nil,
                    at: audit.at
                )
            }
            return .linked(
                user: try self.users.require(db, id: userID),
                movedKeys: moved.keys,
                droppedKeys: moved.dropped,
                retiredUserID: retired,
                replacedTelegramID: replaced
            )
        }
    }

    /// Gives `userID` the keys of the account the bot made (`retired`), deleting those `userID` already has (same
    /// exchange, same API key once opened): one audit row per dropped key.
    func moveKeys(_ db: Database, from retired: Int64, to userID: Int64, audit: AuditEntry) throws
        -> (keys: Int, dropped: Int)
    {
        let existing = try Row.fetchAll(
            db,
            sql: "SELECT exchange_name, api_key FROM user_exchanges WHERE user_id = ?",
            arguments: [userID]
        ).map { LinkAudit.KeyIdentity(exchange: $0["exchange_name"], apiKey: self.revealAPIKey($0["api_key"])) }
        let incoming = try Row.fetchAll(
            db,
            sql: "SELECT id, exchange_name, api_key FROM user_exchanges WHERE user_id = ? ORDER BY id",
            arguments: [retired]
        )
        var dropped = 0
        for row in incoming {
            let identity = LinkAudit.KeyIdentity(exchange: row["exchange_name"], apiKey: revealAPIKey(row["api_key"]))
            guard existing.contains(identity) else { continue }
            let id: Int64 = row["id"]
            try db.execute(sql: "DELETE FROM user_exchanges WHERE id = ?", arguments: [id])
            var entry = audit
            entry.keyID = id
            entry.detail = "dropped: the linked user has the same key"
            try AuditLog.insert(db, entry)
            dropped += 1
        }
        try db.execute(sql: "UPDATE user_exchanges SET user_id = ? WHERE user_id = ?", arguments: [userID, retired])
        return (incoming.count - dropped, dropped)
    }

    public func unlink(_ subject: LinkSubject, mailNotice: Bool, audit: AuditEntry) async throws -> UnlinkOutcome {
        try await writer.write { db in
            let link: Row?
            switch subject {
            case .telegram(let telegramID):
                link = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT telegram_id, user_id FROM bot_telegram_accounts
                        WHERE telegram_id = ? AND user_id IS NOT NULL AND NOT made_by_bot
                        """,
                    arguments: [telegramID]
                )
            case .user(let userID):
                link = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT telegram_id, user_id FROM bot_telegram_accounts WHERE user_id = ? AND NOT made_by_bot
                        """,
                    arguments: [userID]
                )
            }
            if try self.hasPlatformLink(db, subject) { return .platformLink }
            guard let link else { return .notLinked }
            let (telegramID, userID): (Int64, Int64) = (link["telegram_id"], link["user_id"])
            // The row stays for its language, without a user.
            try db.execute(
                sql: "UPDATE bot_telegram_accounts SET user_id = NULL, linked_at = NULL WHERE telegram_id = ?",
                arguments: [telegramID]
            )
            var entry = audit
            entry.detail = entry.detail ?? "telegram \(telegramID)"
            try AuditLog.insert(db, entry)
            if mailNotice {
                try self.queueMail(db, .telegramUnlinked, toUser: userID, dedupeKey: nil, at: audit.at)
            }
            return .unlinked(userID: userID, telegramID: telegramID)
        }
    }

    /// Whether the platform's `users.telegram_id` links the subject (the bot's own write on an account it made is
    /// not the platform's).
    func hasPlatformLink(_ db: Database, _ subject: LinkSubject) throws -> Bool {
        guard let platformLink = users.platformLinkOfTelegram else { return false }
        switch subject {
        case .telegram(let telegramID):
            return try Int64.fetchOne(db, sql: platformLink, arguments: ["telegram": telegramID]) != nil
        case .user(let userID):
            guard
                let telegramID = try Int64.fetchOne(
                    db,
                    sql: "SELECT telegram_id FROM users WHERE id = ?",
                    arguments: [userID]
                )
            else { return false }
            return try Int64.fetchOne(db, sql: platformLink, arguments: ["telegram": telegramID]) == userID
        }
    }

    public func telegramLink(ofUser userID: Int64) async throws -> TelegramLink? {
        try await writer.read { db in
            if try self.hasPlatformLink(db, .user(userID)),
                let telegramID = try Int64.fetchOne(
                    db,
                    sql: "SELECT telegram_id FROM users WHERE id = ?",
                    arguments: [userID]
                )
            {
                let name = try String.fetchOne(
                    db,
                    sql: "SELECT telegram_username FROM bot_telegram_accounts WHERE telegram_id = ?",
                    arguments: [telegramID]
                )
                return TelegramLink(telegramID: telegramID, telegramUsername: name, isPlatformLink: true)
            }
            let overridden =
                self.users.hasTelegramID
                ? "AND NOT EXISTS (SELECT 1 FROM users p WHERE p.telegram_id = t.telegram_id AND p.id != t.user_id)"
                : ""
            return try Row.fetchOne(
                db,
                sql: """
                    SELECT telegram_id, telegram_username, linked_at FROM bot_telegram_accounts t
                    WHERE user_id = ? \(overridden)
                    """,
                arguments: [userID]
            ).map { row in
                TelegramLink(
                    telegramID: row["telegram_id"],
                    telegramUsername: row["telegram_username"],
                    linkedAt: RowMapping.date(row["linked_at"]),
                    isPlatformLink: false
                )
            }
        }
    }
}
