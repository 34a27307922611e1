import Fernet
import Foundation
import PostgresNIO

/// A table's columns that hold Fernet tokens under the master key, read in pages of its `BIGINT` key.
///
/// ``all`` is the one list the key check and the rotation share: a new sealed column is added there, and both
/// then cover it.
struct SealedTable: Sendable {
    /// What a column holds, for the report's counts.
    enum Role: Sendable {
        case secret, passphrase, apiKey, outboxEvent, botState
    }

    struct Column: Sendable {
        let name: String
        let role: Role
        /// Sealed only when it has a Fernet token's shape (API keys: this service stores them in clear, newer Python
        /// rows as tokens).
        var onlyTokens = false
    }

    let table: String
    let key: String
    let columns: [Column]
    /// Restricts the rows that matter (SQL over the table's columns), if only some do.
    var condition: String?

    static let userExchanges = SealedTable(
        table: "user_exchanges",
        key: "id",
        columns: [
            Column(name: "api_secret", role: .secret),
            Column(name: "passphrase", role: .passphrase),
            Column(name: "api_key", role: .apiKey, onlyTokens: true),
        ]
    )

    static let all: [SealedTable] = [
        userExchanges,
        // Delivered and parked events keep the key they were sealed with until they are pruned (as on SQLite); an
        // event stored as clear JSON has nothing to re-seal.
        SealedTable(
            table: "exchange_bot_outbox",
            key: "id",
            columns: [Column(name: "event", role: .outboxEvent)],
            condition: "delivered_at IS NULL AND parked_at IS NULL AND event NOT LIKE '{%'"
        ),
        SealedTable(
            table: "exchange_bot_updates",
            key: "update_id",
            columns: [Column(name: "payload", role: .botState)]
        ),
        SealedTable(
            table: "exchange_bot_conversations",
            key: "telegram_id",
            columns: [Column(name: "state", role: .botState)]
        ),
    ]

    /// One row as read: its key and each column's text (`nil` for `NULL`, or a clear API key).
    struct Row: Sendable {
        let key: Int64
        let tokens: [String?]
    }

    /// Whether the table exists (the bot's tables do not before the first `migrate`).
    func exists(_ connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query("SELECT to_regclass(\(table)) IS NOT NULL", logger: logger).collect()
        return try rows.first?.decode(Bool.self) ?? false
    }

    /// The page of rows after `after` (from the start when `nil`), at most `limit`, in key order: keyset paging on
    /// the primary key's index, so each page costs the same however far into the table it is.
    func page(after: Int64?, limit: Int, _ connection: PostgresConnection, logger: Logger) async throws -> [Row] {
        var conditions = condition.map { ["(\($0))"] } ?? []
        if after != nil { conditions.append("\(key) > $1") }
        var sql = "SELECT \(key), \(columns.map(\.name).joined(separator: ", ")) FROM \(table)"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY \(key) LIMIT \(limit)"
        var bindings = PostgresBindings()
        if let after { bindings.append(after) }
        let result = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
        var rows = [Row]()
        rows.reserveCapacity(limit)
        for try await row in result {
            var cells = row.makeIterator()
            guard let keyCell = cells.next() else { continue }
            var tokens = [String?]()
            tokens.reserveCapacity(columns.count)
            for (column, cell) in zip(columns, IteratorSequence(cells)) {
                let text = try cell.decode(String?.self)
                tokens.append(column.onlyTokens && !(text.map(FernetShape.isToken) ?? false) ? nil : text)
            }
            rows.append(Row(key: try keyCell.decode(Int64.self), tokens: tokens))
        }
        return rows
    }

    /// Writes re-sealed tokens back with one statement: `unnest` turns the arrays into rows joined on the key. An
    /// empty string (never a token) leaves that column as it is.
    func write(_ rows: [(key: Int64, tokens: [String])], _ connection: PostgresConnection, logger: Logger) async throws
    {
        guard !rows.isEmpty else { return }
        var bindings = PostgresBindings(capacity: columns.count + 1)
        bindings.append(rows.map(\.key))
        for index in columns.indices {
            bindings.append(rows.map { $0.tokens[index] })
        }
        let names = columns.map(\.name)
        let arrays = (0...columns.count).map { "$\($0 + 1)::\($0 == 0 ? "bigint" : "text")[]" }
        let sql = """
            UPDATE \(table) AS t SET \(names.map { "\($0) = coalesce(nullif(u.\($0), ''), t.\($0))" }
                .joined(separator: ", "))
            FROM unnest(\(arrays.joined(separator: ", "))) AS u(k, \(names.joined(separator: ", ")))
            WHERE t.\(key) = u.k
            """
        _ = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger).collect()
    }
}

/// Maps an array over the cores from an async context, keeping the order: the async sibling of the SQLite
/// rotation's `ParallelMap`, for CPU-bound work (opening and re-sealing tokens) between two database round trips.
/// Child tasks rather than `DispatchQueue.concurrentPerform`, which would block a thread of the cooperative pool.
enum ConcurrentMap {
    static func map<Element: Sendable, Result: Sendable>(
        _ items: [Element],
        minimumChunk: Int = 64,
        _ transform: @escaping @Sendable (Element) -> Result
    ) async -> [Result] {
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let chunk = max(minimumChunk, (items.count + workers - 1) / workers)
        guard items.count > chunk else { return items.map(transform) }
        return await withTaskGroup(of: (Int, [Result]).self) { group in
            for start in stride(from: 0, to: items.count, by: chunk) {
                let slice = items[start..<min(start + chunk, items.count)]
                group.addTask { (start / chunk, slice.map(transform)) }
            }
            var parts = [[Result]](repeating: [], count: (items.count + chunk - 1) / chunk)
            for await (index, part) in group { parts[index] = part }
            return parts.flatMap { $0 }
        }
    }
}
