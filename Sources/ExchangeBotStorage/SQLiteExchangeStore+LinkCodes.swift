import ExchangeBotCore
import Foundation
import GRDB

/// One-time link codes on SQLite (`bot_link_codes`): stored by their hash only, one unused code per user at a time.
/// Using a code is part of ``link(telegramID:telegramUsername:codeHash:mailNotice:audit:)``.
extension SQLiteExchangeStore {
    public func storeLinkCode(hash: Data, userID: Int64, expiresAt: Date, audit: AuditEntry) async throws {
        try await writer.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE id = ?", arguments: [userID]) ?? false else {
                throw ApprovalError.userNotFound
            }
            // A new code voids the user's earlier unused ones: at most one can be out (and leaked) at a time.
            try db.execute(
                sql: "UPDATE bot_link_codes SET used_at = ? WHERE user_id = ? AND used_at IS NULL",
                arguments: [DatabaseDate.format(audit.at), userID]
            )
            try db.execute(
                sql: "INSERT INTO bot_link_codes (code_hash, user_id, expires_at, created_at) VALUES (?, ?, ?, ?)",
                arguments: [hash, userID, DatabaseDate.format(expiresAt), DatabaseDate.format(audit.at)]
            )
            try AuditLog.insert(db, audit)
        }
    }

    public func voidLinkCode(hash: Data, at date: Date) async throws -> Bool {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE bot_link_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL",
                arguments: [DatabaseDate.format(date), hash]
            )
            return db.changesCount > 0
        }
    }

    public func linkCodeUser(hash: Data, at date: Date) async throws -> User? {
        try await writer.read { db in
            guard let userID = try self.usableCode(db, hash: hash, at: date),
                let user = try self.users.fetch(db, id: userID), user.isActive
            else { return nil }
            return user
        }
    }

    /// The user an unused, unexpired code names.
    func usableCode(_ db: Database, hash: Data, at date: Date) throws -> Int64? {
        try Int64.fetchOne(
            db,
            sql: "SELECT user_id FROM bot_link_codes WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?",
            arguments: [hash, DatabaseDate.format(date)]
        )
    }
}
