import Foundation
import GRDB

/// The SQLite database: opened, configured and migrated in one place.
///
/// Files use a `DatabasePool` (WAL: readers never wait for the writer); writes are serialised by GRDB, which is
/// what makes compare-and-set decisions safe. A busy timeout lets the Python side share the file. Every connection
/// runs with `synchronous=FULL`: a transaction that committed survives a process kill and a power loss.
public struct AppDatabase: Sendable {
    public let writer: any DatabaseWriter
    /// Which optional columns the platform's `users` table has, looked up once when the database is opened.
    public let users: UsersTable

    /// Opens (creating the file and its folder if needed) and migrates.
    ///
    /// - Parameter concurrentReads: a `DatabasePool` for the long-running service; `false` gives a single
    ///   connection for one-shot commands. A pool writes to the file as it opens (GRDB creates and drops a table
    ///   to set up WAL), so commands that must leave a database byte-identical when they refuse use `false`.
    public static func open(_ location: DatabaseLocation, concurrentReads: Bool = true) throws -> AppDatabase {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        // In WAL mode `synchronous=NORMAL` (what GRDB gives a pool's writer, and the WAL default of some SQLite
        // builds) lets a power loss roll back commits the bot has already confirmed to Telegram. FULL syncs the WAL
        // on every commit. Every connection gets it: the writer commits, and readers may checkpoint.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        switch location {
        case .inMemory:
            return try AppDatabase(DatabaseQueue(configuration: configuration))
        case .file(let path):
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            if concurrentReads {
                let pool = try DatabasePool(path: path, configuration: configuration)
                // GRDB sets its writer to NORMAL when it turns WAL on, after `prepareDatabase` ran: set it back.
                try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
                return try AppDatabase(pool)
            }
            return try AppDatabase(DatabaseQueue(path: path, configuration: configuration))
        }
    }

    /// Wraps an open database and brings its schema up to date.
    public init(_ writer: any DatabaseWriter) throws {
        self.writer = writer
        try Migrations.migrator.migrate(writer)
        users = try writer.read { db in try UsersTable.discover(db) }
    }

    /// Whether the database answers a trivial query (for health checks).
    public func isReachable() async -> Bool {
        (try? await writer.read { db in try Int.fetchOne(db, sql: "SELECT 1") }) == 1
    }

    /// The migrations applied so far, by name.
    public func appliedMigrations() throws -> [String] {
        try writer.read { db in try Migrations.migrator.appliedMigrations(db) }
    }

    /// A database error's text for logs and people: SQLite's result code and message, without the statement's
    /// arguments (which may hold encrypted secrets). `nil` for errors that are not the database's.
    public static func summary(of error: any Error) -> String? {
        guard let error = error as? DatabaseError else { return nil }
        return "SQLite error \(error.resultCode.rawValue): \(error.message ?? "unknown")"
    }
}
