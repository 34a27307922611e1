import ExchangeBotCore
import GRDB

/// Reading the seed's `users` table, for both stores.
enum Users {
    static func fetch(_ db: Database, id: Int64) throws -> User? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM users WHERE id = ?"), arguments: [id]).map {
            RowMapping.user($0, prefix: "")
        }
    }

    /// The user a row of this transaction names; ``StorageError/missingRow(table:id:)`` if it is gone.
    static func require(_ db: Database, id: Int64) throws -> User {
        guard let user = try fetch(db, id: id) else { throw StorageError.missingRow(table: "users", id: id) }
        return user
    }
}
