import ExchangeBotCore
import Foundation
import PostgresNIO
import SealedRecords

/// Links between Telegram accounts and users on PostgreSQL (`exchange_bot_telegram_accounts`,
/// `exchange_bot_link_codes`). The rules are ``AccountLinkStore``'s; each call is one transaction.
///
/// The account the bot made for a Telegram user on first contact is that user's own, not a link: `unlink` answers
/// `.notLinked` for it, and linking the Telegram account to a platform user retires it. A user the platform deletes
/// loses its link (`ON DELETE SET NULL`); the row stays for the Telegram account's language.
///
/// What SQLite's single writer gave is asked for here: `link` locks the code's row first (two Telegram accounts
/// racing with one code: the second waits, then finds it used), then the Telegram account (the advisory lock
/// first contact also takes), then the user's row (so two links to one user take turns on `user_id`'s uniqueness).
extension PostgresExchangeStore: AccountLinkStore {
    public func link(
        telegramID: Int64,
        telegramUsername: String?,
        codeHash: Data,
        mailNotice: Bool,
        audit: AuditEntry
    ) async throws -> LinkOutcome {
        try await transaction { session in
            let at = PostgresExchangeRows.stored(audit.at)
            let code = try await session.rows(
                """
                SELECT user_id, used_at IS NULL AND expires_at > \(at) AS usable,
                    used_by_telegram_id = \(telegramID) AND EXISTS (
                        SELECT 1 FROM exchange_bot_telegram_accounts t
                        WHERE t.telegram_id = \(telegramID) AND t.user_id = exchange_bot_link_codes.user_id
                    ) AS replayed
                FROM exchange_bot_link_codes WHERE code_hash = \(ByteBuffer(bytes: codeHash)) FOR UPDATE
                """
            ).first
            guard let code else { return .refused(.invalidCode) }
            let userID = try code["user_id"].decode(Int64.self)
            guard try code["usable"].decode(Bool.self) else {
                // The same press handled again after a crash that came between this commit and the bot's: the code
                // was used by this very Telegram account for the link that stands, so the answer is that link.
                if try code["replayed"].decode(Bool?.self) == true, let user = try await session.user(id: userID) {
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
            try await PostgresBotStore.lockTelegramAccount(telegramID, on: session.connection, logger: session.logger)
            try await session.lockUser(id: userID)
            guard let user = try await session.user(id: userID), user.isActive else { return .refused(.userInactive) }
            if let platformLink = session.users.platformLinkOfTelegram(telegramID),
                let owner = try await session.rows("\(unescaped: platformLink)").first?["id"].decode(Int64.self),
                owner != userID
            {
                return .refused(.platformLinkedElsewhere)
            }
            let current = try await session.rows(
                "SELECT user_id, made_by_bot FROM exchange_bot_telegram_accounts WHERE telegram_id = \(telegramID)"
            ).first
            let linkedTo = try current?["user_id"].decode(Int64?.self)
            let madeByBot = try current?["made_by_bot"].decode(Bool.self) ?? false
            if let linkedTo, linkedTo != userID, !madeByBot { return .refused(.linkedToAnotherUser) }
            try await session.execute(
                """
                UPDATE exchange_bot_link_codes SET used_at = \(at), used_by_telegram_id = \(telegramID)
                WHERE code_hash = \(ByteBuffer(bytes: codeHash))
                """
            )
            let replaced = try await session.rows(
                """
                UPDATE exchange_bot_telegram_accounts SET user_id = NULL, linked_at = NULL
                WHERE user_id = \(userID) AND telegram_id <> \(telegramID) RETURNING telegram_id
                """
            ).first.map { try $0["telegram_id"].decode(Int64.self) }
            let retired = madeByBot ? linkedTo.flatMap { $0 == userID ? nil : $0 } : nil
            try await session.execute(
                """
                INSERT INTO exchange_bot_telegram_accounts (telegram_id, user_id, telegram_username, made_by_bot, linked_at)
                VALUES (\(telegramID), \(userID), \(telegramUsername), FALSE, \(at))
                ON CONFLICT (telegram_id) DO UPDATE SET user_id = EXCLUDED.user_id, made_by_bot = FALSE,
                    telegram_username = coalesce(EXCLUDED.telegram_username,
                        exchange_bot_telegram_accounts.telegram_username),
                    linked_at = EXCLUDED.linked_at
                """
            )
            var moved = (keys: 0, dropped: 0)
            if let retired {
                moved = try await moveKeys(session, from: retired, to: userID, audit: audit)
                try await session.execute(session.users.retireBotUser(retired))
            }
            var entry = audit
            entry.detail = LinkAudit.detail(
                moved: moved.keys,
                dropped: moved.dropped,
                retiredUserID: retired,
                replacedTelegramID: replaced
            )
            try await PostgresAuditLog.insert(session, entry)
            if mailNotice {
                try await queueMail(
                    session,
                    .telegramLinked(telegramUsername: telegramUsername),
                    toUser: userID,
                    dedupeKey: nil,
                    at: audit.at
                )
            }
            guard let linked = try await session.user(id: userID) else {
                throw PostgresExchangeStoreError.missingRow(table: "users")
            }
            return .linked(
                user: linked,
                movedKeys: moved.keys,
                droppedKeys: moved.dropped,
                retiredUserID: retired,
                replacedTelegramID: replaced
            )
        }
    }

    /// Gives `userID` the keys of the account the bot made (`retired`), deleting those `userID` already has (same
    /// exchange, same API key once opened): one audit row per dropped key. The keys' rows are locked first.
    func moveKeys(_ session: PostgresExchangeSession, from retired: Int64, to userID: Int64, audit: AuditEntry)
        async throws -> (keys: Int, dropped: Int)
    {
        let existing = try await session.rows(
            "SELECT exchange_name, api_key FROM user_exchanges WHERE user_id = \(userID)"
        ).map {
            LinkAudit.KeyIdentity(
                exchange: try $0["exchange_name"].decode(String.self),
                apiKey: session.revealAPIKey(try $0["api_key"].decode(String.self))
            )
        }
        let incoming = try await session.rows(
            """
            SELECT id::int8 AS id, exchange_name, api_key FROM user_exchanges WHERE user_id = \(retired)
            ORDER BY id FOR UPDATE
            """
        )
        var dropped = 0
        for row in incoming {
            let identity = LinkAudit.KeyIdentity(
                exchange: try row["exchange_name"].decode(String.self),
                apiKey: session.revealAPIKey(try row["api_key"].decode(String.self))
            )
            guard existing.contains(identity) else { continue }
            let id = try row["id"].decode(Int64.self)
            try await session.execute("DELETE FROM user_exchanges WHERE id = \(id)")
            var entry = audit
            entry.keyID = id
            entry.detail = "dropped: the linked user has the same key"
            try await PostgresAuditLog.insert(session, entry)
            dropped += 1
        }
        try await session.execute("UPDATE user_exchanges SET user_id = \(userID) WHERE user_id = \(retired)")
        return (incoming.count - dropped, dropped)
    }

    public func unlink(_ subject: LinkSubject, mailNotice: Bool, audit: AuditEntry) async throws -> UnlinkOutcome {
        try await transaction { session in
            let filter: String
            switch subject {
            case .telegram(let telegramID):
                try await PostgresBotStore.lockTelegramAccount(
                    telegramID,
                    on: session.connection,
                    logger: session.logger
                )
                filter = "telegram_id = \(telegramID) AND user_id IS NOT NULL"
            case .user(let userID):
                try await session.lockUser(id: userID)
                filter = "user_id = \(userID)"
            }
            if try await hasPlatformLink(session, subject) { return .platformLink }
            let link = try await session.rows(
                """
                SELECT telegram_id, user_id FROM exchange_bot_telegram_accounts
                WHERE \(unescaped: filter) AND NOT made_by_bot FOR UPDATE
                """
            ).first
            guard let link else { return .notLinked }
            let telegramID = try link["telegram_id"].decode(Int64.self)
            let userID = try link["user_id"].decode(Int64.self)
            // The row stays for its language, without a user.
            try await session.execute(
                """
                UPDATE exchange_bot_telegram_accounts SET user_id = NULL, linked_at = NULL
                WHERE telegram_id = \(telegramID)
                """
            )
            var entry = audit
            entry.detail = entry.detail ?? "telegram \(telegramID)"
            try await PostgresAuditLog.insert(session, entry)
            if mailNotice {
                try await queueMail(session, .telegramUnlinked, toUser: userID, dedupeKey: nil, at: audit.at)
            }
            return .unlinked(userID: userID, telegramID: telegramID)
        }
    }

    /// Whether the platform's `users.telegram_id` links the subject (the bot's own write on an account it made is
    /// not the platform's).
    func hasPlatformLink(_ session: PostgresExchangeSession, _ subject: LinkSubject) async throws -> Bool {
        guard session.users.hasTelegramID else { return false }
        switch subject {
        case .telegram(let telegramID):
            guard let platformLink = session.users.platformLinkOfTelegram(telegramID) else { return false }
            return try await !session.rows("\(unescaped: platformLink)").isEmpty
        case .user(let userID):
            guard
                let telegramID = try await session.rows(
                    "SELECT telegram_id::int8 AS telegram_id FROM users WHERE id = \(userID)"
                ).first?["telegram_id"].decode(Int64?.self),
                let platformLink = session.users.platformLinkOfTelegram(telegramID)
            else { return false }
            let owner = try await session.rows("\(unescaped: platformLink)").first?["id"].decode(Int64.self)
            return owner == userID
        }
    }

    public func telegramLink(ofUser userID: Int64) async throws -> TelegramLink? {
        try await transaction { session in
            if try await hasPlatformLink(session, .user(userID)),
                let telegramID = try await session.rows(
                    "SELECT telegram_id::int8 AS telegram_id FROM users WHERE id = \(userID)"
                ).first?["telegram_id"].decode(Int64?.self)
            {
                let name = try await session.rows(
                    "SELECT telegram_username FROM exchange_bot_telegram_accounts WHERE telegram_id = \(telegramID)"
                ).first?["telegram_username"].decode(String?.self)
                return TelegramLink(telegramID: telegramID, telegramUsername: name, isPlatformLink: true)
            }
            let overridden =
                session.users.hasTelegramID
                ? "AND NOT EXISTS (SELECT 1 FROM users p WHERE p.telegram_id = t.telegram_id AND p.id <> t.user_id)"
                : ""
            return try await session.rows(
                """
                SELECT telegram_id, telegram_username, linked_at FROM exchange_bot_telegram_accounts t
                WHERE user_id = \(userID) \(unescaped: overridden)
                """
            ).first.map { row in
                TelegramLink(
                    telegramID: try row["telegram_id"].decode(Int64.self),
                    telegramUsername: try row["telegram_username"].decode(String?.self),
                    linkedAt: PostgresExchangeRows.date(try row["linked_at"].decode(Date?.self)),
                    isPlatformLink: false
                )
            }
        }
    }
}
