import ExchangeBotCore
import GRDB

/// Reading the platform's `users` table, for both stores, with whatever columns it has (``UsersTable``).
extension UsersTable {
    func fetch(_ db: Database, id: Int64) throws -> User? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT \(columns()) FROM users u WHERE u.id = ?"),
            arguments: [id]
        ).map { RowMapping.user($0) }
    }

    /// The user a row of this transaction names; ``StorageError/missingRow(table:id:)`` if it is gone.
    func require(_ db: Database, id: Int64) throws -> User {
        guard let user = try fetch(db, id: id) else { throw StorageError.missingRow(table: "users", id: id) }
        return user
    }
}
