import ExchangeBotCore
import Fernet
import Foundation
import PostgresNIO

/// `rotate-key` on PostgreSQL: re-encrypts every sealed column (``SealedTable/all``: secrets, passphrases, API keys
/// stored as tokens, undelivered outbox events, the bot's received updates and conversations) under the ring's first
/// key, with the SQLite rotation's guarantees and report.
///
/// One transaction: every new token is read back before it is written, and if any token opens with none of the keys
/// the transaction is rolled back, so nothing changes; a crash at any point leaves every row readable under the old
/// or the new key. Writers of the sealed tables wait for the commit (readers do not), so no row escapes it. Original
/// Fernet timestamps are kept. Fast on large tables: rows are read in key-ordered pages, each page is opened and
/// re-sealed on all cores, and written back with one `UPDATE … FROM unnest(…)`.
public enum PostgresKeyRotation {
    /// Rotates everything in one transaction and records it in the audit log.
    ///
    /// - Parameter pageSize: rows read, re-sealed and written per round trip (tests make it small to cross pages).
    public static func rotate(
        _ database: PostgresPool,
        ring: MultiFernet,
        at date: Date = Date(),
        pageSize: Int = 5_000
    ) async throws -> MasterKeyRotationReport {
        let logger = database.logger
        return try await database.transaction { connection in
            var tables = [SealedTable]()
            for table in SealedTable.all {
                if try await table.exists(connection, logger: logger) { tables.append(table) }
            }
            // SQLite's single writer, made explicit: a row another transaction wrote under the old key after the
            // rotation passed it would stay unreadable once the old key is dropped. SHARE ROW EXCLUSIVE lets
            // readers (the service, the platform) go on, holds writers until the commit, and is taken by one
            // rotation at a time.
            if !tables.isEmpty {
                let names = tables.map(\.table).joined(separator: ", ")
                _ = try await connection.query(
                    PostgresQuery(unsafeSQL: "LOCK TABLE \(names) IN SHARE ROW EXCLUSIVE MODE"),
                    logger: logger
                ).collect()
            }
            var tally = Tally(primaryFingerprint: ring.primary.key.fingerprint)
            for table in tables {
                try await rotate(table, ring: ring, pageSize: max(1, pageSize), into: &tally, connection, logger)
            }
            guard tally.unreadableRows.isEmpty, tally.unreadableOthers == 0 else {
                throw UnreadableSecrets(rowIDs: tally.unreadableRows, botTokens: tally.unreadableOthers)
            }
            let report = tally.report
            try await PostgresAuditLog.insert(
                PostgresExchangeSession(
                    connection: connection,
                    logger: logger,
                    ring: ring,
                    users: try await database.usersTable.table(connection, logger: logger)
                ),
                AuditEntry(
                    at: date,
                    caller: .system,
                    action: .rotateMasterKey,
                    outcome: .succeeded,
                    detail: "rows=\(report.rows) secrets=\(report.secrets) passphrases=\(report.passphrases) "
                        + "api_keys=\(report.apiKeys) outbox=\(report.outboxEvents) "
                        + "primary=\(report.primaryFingerprint)"
                )
            )
            return report
        }
    }

    /// Rotates one table, page by page, as a pipeline on the transaction's connection: while the cores open and
    /// re-seal page N, the server reads page N + 1 and writes page N − 1 (queries on one connection run in order, so
    /// the transaction is unchanged; only the waiting overlaps).
    private static func rotate(
        _ table: SealedTable,
        ring: MultiFernet,
        pageSize: Int,
        into tally: inout Tally,
        _ connection: PostgresConnection,
        _ logger: Logger
    ) async throws {
        var pendingWrite: Task<Void, any Error>?
        do {
            var rows = try await table.page(after: nil, limit: pageSize, connection, logger: logger)
            while let last = rows.last {
                let (lastKey, more) = (last.key, rows.count == pageSize)
                async let next = more ? table.page(after: lastKey, limit: pageSize, connection, logger: logger) : []
                let outcomes = await ConcurrentMap.map(rows) { row in
                    row.tokens.map { token in
                        token.map { token in
                            Result { () throws(FernetError) in try ring.rotateReportingKey(token, verifying: true) }
                        }
                    }
                }
                var updates = [(key: Int64, tokens: [String])]()
                updates.reserveCapacity(rows.count)
                for (row, columns) in zip(rows, outcomes) {
                    tally.count(table, row: row, columns)
                    updates.append((row.key, columns.map { outcome in (try? outcome?.get())?.token ?? "" }))
                }
                try await pendingWrite?.value
                pendingWrite = nil
                // Once one token is unreadable the transaction will be rolled back: keep reading (to name every
                // unreadable row) but stop writing.
                if tally.unreadableRows.isEmpty, tally.unreadableOthers == 0 {
                    pendingWrite = Task { [updates] in try await table.write(updates, connection, logger: logger) }
                }
                rows = try await next
            }
            try await pendingWrite?.value
        } catch {
            // Never leave a write running past the transaction's end.
            pendingWrite?.cancel()
            _ = try? await pendingWrite?.value
            throw error
        }
    }

    /// The report as it grows, table by table.
    private struct Tally {
        var report: MasterKeyRotationReport
        var unreadableRows = [Int64]()
        var unreadableOthers = 0

        init(primaryFingerprint: String) {
            report = MasterKeyRotationReport(
                rows: 0,
                secrets: 0,
                passphrases: 0,
                alreadyUnderPrimary: 0,
                primaryFingerprint: primaryFingerprint
            )
        }

        mutating func count(
            _ table: SealedTable,
            row: SealedTable.Row,
            _ columns: [Result<(token: String, previousKeyIndex: Int), FernetError>?]
        ) {
            if table.table == SealedTable.userExchanges.table { report.rows += 1 }
            var failed = false
            for (column, outcome) in zip(table.columns, columns) {
                switch outcome {
                case nil: continue
                case .failure?: failed = true
                case .success(let rotated)?:
                    switch column.role {
                    case .secret:
                        report.secrets += 1
                        report.alreadyUnderPrimary += rotated.previousKeyIndex == 0 ? 1 : 0
                    case .passphrase: report.passphrases += 1
                    case .apiKey: report.apiKeys += 1
                    case .outboxEvent: report.outboxEvents += 1
                    case .botState: report.botTokens += 1
                    }
                }
            }
            guard failed else { return }
            if table.table == SealedTable.userExchanges.table {
                unreadableRows.append(row.key)
            } else {
                unreadableOthers += 1
            }
        }
    }
}
