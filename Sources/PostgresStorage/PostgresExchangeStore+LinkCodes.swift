import ExchangeBotCore
import Foundation
import PostgresNIO

/// One-time link codes on PostgreSQL (`exchange_bot_link_codes`): stored by their hash only, one unused code per
/// user at a time. Using a code is part of ``link(telegramID:telegramUsername:codeHash:mailNotice:audit:)``.
extension PostgresExchangeStore {
    public func storeLinkCode(hash: Data, userID: Int64, expiresAt: Date, audit: AuditEntry) async throws {
        try await transaction { session in
            guard try await !session.rows("SELECT 1 FROM users WHERE id = \(userID)").isEmpty else {
                throw ApprovalError.userNotFound
            }
            // A new code voids the user's earlier unused ones: at most one can be out (and leaked) at a time.
            try await session.execute(
                """
                UPDATE exchange_bot_link_codes SET used_at = \(PostgresExchangeRows.stored(audit.at))
                WHERE user_id = \(userID) AND used_at IS NULL
                """
            )
            try await session.execute(
                """
                INSERT INTO exchange_bot_link_codes (code_hash, user_id, expires_at, created_at)
                VALUES (\(ByteBuffer(bytes: hash)), \(userID), \(PostgresExchangeRows.stored(expiresAt)),
                    \(PostgresExchangeRows.stored(audit.at)))
                """
            )
            try await PostgresAuditLog.insert(session, audit)
        }
    }

    public func voidLinkCode(hash: Data, at date: Date) async throws -> Bool {
        try await transaction { session in
            try await !session.rows(
                """
                UPDATE exchange_bot_link_codes SET used_at = \(PostgresExchangeRows.stored(date))
                WHERE code_hash = \(ByteBuffer(bytes: hash)) AND used_at IS NULL RETURNING 1
                """
            ).isEmpty
        }
    }

    public func linkCodeUser(hash: Data, at date: Date) async throws -> User? {
        try await read { session in
            let rows = try await session.rows(
                """
                SELECT \(unescaped: session.users.columns()) FROM exchange_bot_link_codes c JOIN users u ON u.id = c.user_id
                WHERE c.code_hash = \(ByteBuffer(bytes: hash)) AND c.used_at IS NULL
                    AND c.expires_at > \(PostgresExchangeRows.stored(date))
                """
            )
            guard let user = try rows.first.map(PostgresExchangeRows.user), user.isActive else { return nil }
            return user
        }
    }
}
