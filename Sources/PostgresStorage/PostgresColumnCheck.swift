import ExchangeBotCore
import Foundation
import PostgresNIO

/// Why ``PostgresSchema/migrate(_:)`` stopped without changing anything: the platform's tables lack what this service
/// needs, or the `search_path` names no schema to create them in. Its text is meant for the operator as it is (the
/// command line prints it), and names the statements that fix it where there are some.
public struct PostgresSchemaError: Error, Sendable, CustomStringConvertible {
    /// One thing wrong with the platform's schema.
    public enum Problem: Sendable, Equatable {
        /// `table` exists but lacks `columns`, which this service reads or writes.
        case missingColumns(table: String, columns: [String])
        /// `table.column` is `VARCHAR(declared)`, and this service may write up to `needed` characters there.
        case narrowColumn(table: String, column: String, declared: Int, needed: Int)
        /// No schema in the `search_path` exists, so there is nowhere to create the tables.
        case noSchema(searchPath: String)
    }

    public let problems: [Problem]
    /// The statements that fix the narrow columns (`ALTER TABLE … TYPE TEXT;`), for the operator to run once.
    public let fixes: [String]

    public var description: String {
        var lines = [String]()
        for problem in problems {
            switch problem {
            case .missingColumns(let table, let columns):
                lines.append(
                    "the table \(table) has no column(s) \(columns.joined(separator: ", ")), which exchange-bot needs;"
                        + " it never changes the platform's tables, so add them with the platform's own migrations"
                )
            case .narrowColumn(let table, let column, let declared, let needed):
                lines.append(
                    "\(table).\(column) is VARCHAR(\(declared)), but exchange-bot may store up to \(needed) characters"
                        + " there (an encrypted \(ColumnCheck.what(column))), and PostgreSQL refuses longer values"
                )
            case .noSchema(let searchPath):
                lines.append(
                    "no schema of the search_path (\(searchPath)) exists: create it or fix DATABASE_URL's options"
                )
            }
        }
        var text =
            "the database schema is not ready for exchange-bot, nothing was changed: " + lines.joined(separator: "; ")
        if !fixes.isEmpty {
            text += ". Widen the column(s) once (the platform's String(500) models keep working), then migrate again: "
            text += fixes.joined(separator: " ")
        }
        return text
    }
}

/// The columns this service needs in the platform's tables, and how wide the credential columns must be.
enum ColumnCheck {
    /// The longest text this service writes in each credential column.
    ///
    /// The API key is written as typed (at most ``KeyRules/maxFieldLength`` characters); a key the Python side stored
    /// as a Fernet token is only ever re-sealed by `rotate-key`, which keeps its length (same plaintext, same
    /// padding), so it still fits the column it came from. The secret and the passphrase are Fernet tokens; the
    /// secret's longest plaintext is a Coinbase EC private key in PEM (``KeyRules/maxPEMLength`` bytes).
    static let neededWidths: [(column: String, characters: Int)] = [
        ("api_key", KeyRules.maxFieldLength),
        ("api_secret", fernetTokenLength(plaintextBytes: max(KeyRules.maxFieldLength, KeyRules.maxPEMLength))),
        ("passphrase", fernetTokenLength(plaintextBytes: KeyRules.maxFieldLength)),
    ]

    /// The columns the service reads or writes in each platform table (DESIGN.md; the platform's `users` may have
    /// only these five).
    static let neededColumns: [(table: String, columns: [String])] = [
        ("users", ["id", "username", "email", "is_active", "is_admin"]),
        (
            "user_exchanges",
            [
                "id", "user_id", "exchange_name", "label", "api_key", "api_secret", "passphrase", "status", "is_active",
                "error_message", "created_at", "updated_at",
            ]
        ),
    ]

    /// A Fernet token's length for a plaintext of `plaintextBytes`: version (1) + timestamp (8) + IV (16) +
    /// the ciphertext padded with PKCS#7 to the next whole 16-byte block (a full block when already whole) +
    /// HMAC (32), in base64 with padding (4 characters per 3 bytes, rounded up).
    static func fernetTokenLength(plaintextBytes: Int) -> Int {
        let ciphertext = (plaintextBytes / 16 + 1) * 16
        let bytes = 1 + 8 + 16 + ciphertext + 32
        return (bytes + 2) / 3 * 4
    }

    static func what(_ column: String) -> String {
        switch column {
        case "api_secret": "API secret or Coinbase private key"
        case "passphrase": "passphrase"
        default: "API key"
        }
    }

    /// Checks the platform tables that exist; `schemas` maps each to the schema the `search_path` finds it in.
    static func problems(
        _ connection: PostgresConnection,
        schemas: [String: String],
        logger: Logger
    ) async throws -> (problems: [PostgresSchemaError.Problem], fixes: [String]) {
        var problems = [PostgresSchemaError.Problem]()
        var fixes = [String]()
        for (table, needed) in neededColumns {
            guard let schema = schemas[table] else { continue }
            let rows = try await connection.query(
                """
                SELECT column_name::text, character_maximum_length::int8 FROM information_schema.columns
                WHERE table_schema = \(schema) AND table_name = \(table)
                """,
                logger: logger
            )
            var widths = [String: Int64?]()
            for try await (column, width) in rows.decode((String, Int64?).self) {
                widths[column] = width
            }
            let missing = needed.filter { widths[$0] == nil }
            if !missing.isEmpty {
                problems.append(.missingColumns(table: table, columns: missing))
            }
            guard table == "user_exchanges" else { continue }
            for (column, characters) in neededWidths {
                guard let declared = widths[column] ?? nil, declared < characters else { continue }
                problems.append(
                    .narrowColumn(table: table, column: column, declared: Int(declared), needed: characters)
                )
                fixes.append("ALTER TABLE \(qualified(table, in: schema)) ALTER COLUMN \(column) TYPE TEXT;")
            }
        }
        return (problems, fixes)
    }

    /// `table`, prefixed with its schema unless that is `public`, so the statement works from a plain `psql`.
    static func qualified(_ table: String, in schema: String) -> String {
        guard schema != "public" else { return table }
        let plain =
            schema.first.map { $0.isASCII && ($0.isLowercase || $0 == "_") } ?? false
            && schema.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }
        return (plain ? schema : "\"" + schema.replacingOccurrences(of: "\"", with: "\"\"") + "\"") + "." + table
    }
}
