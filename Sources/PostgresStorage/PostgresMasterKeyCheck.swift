import ExchangeBotCore
import Fernet
import PostgresNIO

/// Checks at start-up that the configured master keys open the stored secrets, on PostgreSQL: the SQLite
/// `MasterKeyCheck`'s rules and report, over the same sealed columns as ``PostgresKeyRotation``
/// (``SealedTable/all``).
public enum PostgresMasterKeyCheck {
    /// Opens the stored tokens with the ring, in key-ordered pages, each page on all cores.
    ///
    /// - Parameter stoppingAtFirstReadable: stop at the first token a key opens. The report then counts only the
    ///   tokens looked at, but ``MasterKeyCheckReport/wrongKey`` is exact: it needs every token only when none
    ///   opens. `rotate-key` uses it, since rotation opens every token again anyway.
    public static func run(
        _ database: PostgresPool,
        ring: MultiFernet,
        stoppingAtFirstReadable: Bool = false,
        pageSize: Int = 5_000
    ) async throws -> MasterKeyCheckReport {
        let logger = database.logger
        // One snapshot for the whole count, so rows moving between pages cannot be counted twice or missed.
        return try await database.transaction { connection in
            _ = try await connection.query(
                "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY",
                logger: logger
            )
            .collect()
            var report = MasterKeyCheckReport(tokens: 0, openedByPrimary: 0, openedByOlderKeys: 0, unreadable: 0)
            for table in SealedTable.all {
                guard try await table.exists(connection, logger: logger) else { continue }
                var after: Int64?
                while true {
                    let rows = try await table.page(
                        after: after,
                        limit: max(1, pageSize),
                        connection,
                        logger: logger
                    )
                    guard let last = rows.last else { break }
                    after = last.key
                    let indices = await ConcurrentMap.map(rows) { row in
                        row.tokens.compactMap { $0 }.map { ring.keyIndex(opening: $0) }
                    }
                    for index in indices.joined() {
                        report.tokens += 1
                        switch index {
                        case 0: report.openedByPrimary += 1
                        case .some: report.openedByOlderKeys += 1
                        case nil: report.unreadable += 1
                        }
                        if stoppingAtFirstReadable && report.unreadable < report.tokens { return report }
                    }
                    if rows.count < pageSize { break }
                }
            }
            return report
        }
    }
}
